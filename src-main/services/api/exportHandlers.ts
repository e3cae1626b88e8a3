// API handlers of the export channels: thin mapping from the contract to the export services.
import { ChangeMapError } from '../../core/errors';
import { exportRaster } from '../exports/exportRaster';
import { exportRegions } from '../exports/exportRegions';
import { hasSavedRegionSettings } from '../regions/regionSettings';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

export function exportHandlers(ctx: HandlerContext): DomainHandlers<'export:'> {
  return {
    'export:regions': async (request) => {
      const project = ctx.requireProject();
      // An empty file would read as "no change": a run whose regions were never found is refused instead.
      if (
        project.db.prepare('SELECT 1 FROM cm_runs WHERE id = ?').get(request.runId) &&
        !hasSavedRegionSettings(project.db, request.runId)
      ) {
        throw new ChangeMapError(
          'EXPORT_NO_REGIONS',
          `Run ${request.runId} has no regions yet, so there is nothing to export; find them first ("Find regions", or changemap regions).`,
        );
      }
      const result = await exportRegions(project.db, request);
      return { path: result.path, featureCount: result.featureCount };
    },
    'export:raster': async (request) => {
      const project = ctx.requireProject();
      const result = await exportRaster(project.db, request, { dataDir: project.dataDir });
      return { path: result.path, featureCount: null };
    },
  };
}
