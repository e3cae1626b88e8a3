// API handlers of the accuracy and report channels: thin mapping from the contract to the accuracy and report
// services.
import { checkWriteTarget } from '../exports/exportTarget';
import { mapStretchOfRun } from '../preview/runStretch';
import { makeReport } from '../report/makeReport';
import { base64, type DomainHandlers, type HandlerContext } from './handlerTypes';

export function accuracyHandlers(ctx: HandlerContext): DomainHandlers<'accuracy:' | 'report:'> {
  return {
    'accuracy:draw': (request) => ctx.services().accuracy.draw(request),
    'accuracy:get': ({ runId }) => ctx.services().accuracy.state(runId),
    'accuracy:label': ({ pointId, label }) => ctx.services().accuracy.label(pointId, label),
    'accuracy:spotCheck': async ({ pointId }) => {
      const services = ctx.services();
      // Pictured with the map's stretch, like the region spot check.
      const images = await services.accuracy.spotCheck(pointId, (runId) => mapStretchOfRun(services, runId));
      return {
        before: base64(images.before),
        change: base64(images.change),
        after: base64(images.after),
        metresPerPixel: images.metresPerPixel,
      };
    },
    'accuracy:export': (request) => {
      checkWriteTarget(ctx.requireProject().db, request.out, request.format, request.overwrite);
      return ctx.services().accuracy.export(request);
    },
    'accuracy:byFeature': ({ runId, layerId }) => ctx.services().accuracy.byFeature(runId, layerId),
    'report:make': (request) => {
      const kind = /\.pdf$/i.test(request.out) ? 'pdf' : 'html';
      checkWriteTarget(ctx.requireProject().db, request.out, kind, request.overwrite);
      return makeReport(ctx.services(), request);
    },
  };
}
