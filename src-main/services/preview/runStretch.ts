// The colour stretch the map draws a run's two dates with, for every picture of them outside the map (the region
// spot check, the sample-point check, the report's region pages): one look everywhere.
import type { SpotCheckOptions } from '../regions/spotCheck';
import type { ProjectImagery } from '../imagery/ProjectImagery';
import type { RunService } from '../runs/RunService';
import type { PreviewService } from './PreviewService';
import { imageryStretch } from './previewTiles';

/** Undefined where a date's stretch cannot be had (the pictures then use their window's own). */
export async function mapStretchOfRun(
  services: { readonly runs: RunService; readonly preview: PreviewService; readonly imagery: ProjectImagery },
  runId: number,
): Promise<SpotCheckOptions['stretch'] | undefined> {
  const dates = services.runs.getRun(runId)?.dates;
  const [before, after] = await Promise.all(
    ([dates?.from ?? 'before', dates?.to ?? 'after'] as const).map((which) =>
      imageryStretch(services.preview, services.imagery, which).catch(() => null),
    ),
  );
  return before && after ? { before, after } : undefined;
}
