// API handlers of the accuracy and report channels: thin mapping from the contract to the accuracy and report
// services.
import { checkWriteTarget } from '../exports/exportTarget';
import { makeReport } from '../report/makeReport';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export function accuracyHandlers(ctx: HandlerContext): DomainHandlers<'accuracy:' | 'report:'> {
  return {
    'accuracy:draw': (request) => ctx.services().accuracy.draw(request),
    'accuracy:get': ({ runId }) => ctx.services().accuracy.state(runId),
    'accuracy:label': ({ pointId, label }) => ctx.services().accuracy.label(pointId, label),
    'accuracy:spotCheck': async ({ pointId }) => {
      const images = await ctx.services().accuracy.spotCheck(pointId);
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
