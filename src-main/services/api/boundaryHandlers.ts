// API handlers of the boundary channels: thin mapping from the contract to the boundary services.
import { boundaryFeature, boundaryOutlines } from '../boundaries/boundaryLayers';
import { featureChangePage } from '../boundaries/featureChange';
import { exportBoundarySummary } from '../boundaries/summaryExport';
import { checkWriteTarget } from '../exports/exportTarget';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

export function boundaryHandlers(ctx: HandlerContext): DomainHandlers<'boundaries:'> {
  const db = () => ctx.requireProject().db;
  return {
    'boundaries:add': (request) => ctx.services().boundaries.add(request),
    'boundaries:list': () => ctx.services().boundaries.list(),
    'boundaries:remove': ({ layerId }) => ctx.services().boundaries.remove(layerId),
    'boundaries:setLabelField': ({ layerId, field }) =>
      ctx.services().boundaries.setLabelField(layerId, field),
    'boundaries:features': (query) => featureChangePage(db(), query),
    'boundaries:feature': ({ fid }) => boundaryFeature(db(), fid),
    'boundaries:outlines': ({ layerId, extent, limit }) => boundaryOutlines(db(), layerId, extent, limit),
    'boundaries:join': ({ layerId, runId }) => ctx.services().boundaries.join(layerId, runId),
    'boundaries:exportSummary': (request) => {
      checkWriteTarget(db(), request.out, request.format, request.overwrite);
      return exportBoundarySummary(db(), request);
    },
  };
}
