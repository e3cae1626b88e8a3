// What the API's two tile channels return: a date's imagery tile or a run's probability tile, as base64 PNG.
import { ChangeMapError } from '../../core/errors';
import type { DateRole, TileImage } from '../../ipc/contract';
import type { ProjectImagery } from '../imagery/ProjectImagery';
import type { RunService } from '../runs/RunService';
import type { ByteStretch } from '../../core/preview/colourise';
import type { PreviewService } from './PreviewService';

const asTile = (png: Uint8Array | null): TileImage =>
  png ? { png: Buffer.from(png).toString('base64') } : null;

export async function imageryPreviewTile(
  preview: PreviewService,
  imagery: ProjectImagery,
  which: DateRole | number,
  z: number,
  x: number,
  y: number,
): Promise<TileImage> {
  await imagery.state(); // opens the stored sets on first use
  const set = imagery.set(which);
  if (!set) return null;
  return asTile(await preview.imageryTile(previewKeyOf(imagery, which), set, z, x, y));
}

/** The first and last dates keep their role's preview (one pyramid whichever way they are asked for). */
function previewKeyOf(imagery: ProjectImagery, which: DateRole | number) {
  return typeof which === 'number'
    ? ((['before', 'after'] as const).find((r) => imagery.dateIdOf(r) === which) ?? (`date${which}` as const))
    : which;
}

/** A date's colour stretch as its map tiles use it; null where the date has no imagery. */
export async function imageryStretch(
  preview: PreviewService,
  imagery: ProjectImagery,
  which: DateRole | number,
): Promise<ByteStretch[] | null> {
  await imagery.state();
  const set = imagery.set(which);
  return set ? preview.imageryStretch(previewKeyOf(imagery, which), set) : null;
}

export async function runProbabilityTile(
  preview: PreviewService,
  runs: RunService,
  runId: number,
  z: number,
  x: number,
  y: number,
): Promise<TileImage> {
  const run = runs.getRun(runId);
  if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  const png = await preview.probabilityTile(
    {
      id: run.id,
      status: run.status,
      grid: run.params.grid,
      probabilityPath: run.probabilityPath,
      chunks: run.chunks,
      readChunk: (idx) => runs.readChunk(runId, idx),
    },
    z,
    x,
    y,
  );
  return asTile(png);
}
