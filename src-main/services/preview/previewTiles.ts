// Glue between the API's two tile channels and the preview service: one PreviewService per open project,
// progress forwarded as `imagery:previewProgress`, tiles returned as base64 PNG.
import { ChangeMapError } from '../../core/errors';
import type { DateRole, TileImage } from '../../ipc/contract';
import type { HandlerContext } from '../api/handlerTypes';
import type { ProjectImagery } from '../api/projectImagery';
import type { RunService } from '../runs/RunService';
import { PreviewService } from './PreviewService';

export function previewService(ctx: HandlerContext): PreviewService {
  return ctx.projectService(
    'preview',
    (project) =>
      new PreviewService({
        dataDir: project.dataDir,
        onProgress: (progress) => ctx.events.emit('imagery:previewProgress', progress),
        onWarning: (message) => ctx.events.emit('log:warning', { message }),
      }),
  );
}

const asTile = (png: Uint8Array | null): TileImage =>
  png ? { png: Buffer.from(png).toString('base64') } : null;

export async function imageryPreviewTile(
  ctx: HandlerContext,
  imagery: ProjectImagery,
  role: DateRole,
  z: number,
  x: number,
  y: number,
): Promise<TileImage> {
  await imagery.state(); // opens the stored sets on first use
  const set = imagery.set(role);
  if (!set) return null;
  return asTile(await previewService(ctx).imageryTile(role, set, z, x, y));
}

export async function runProbabilityTile(
  ctx: HandlerContext,
  runs: RunService,
  runId: number,
  z: number,
  x: number,
  y: number,
): Promise<TileImage> {
  const run = runs.getRun(runId);
  if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  const png = await previewService(ctx).probabilityTile(
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
