// API handlers of the basemap channels: thin mapping from the contract to the project's basemaps service.
import type { DomainHandlers, HandlerContext } from './handlerTypes';

export function basemapHandlers(ctx: HandlerContext): DomainHandlers<'basemaps:'> {
  const basemaps = () => ctx.services().basemaps;
  return {
    'basemaps:list': () => basemaps().list(),
    'basemaps:add': (input) => basemaps().add(input),
    'basemaps:remove': ({ id }) => basemaps().remove(id),
    'basemaps:tile': ({ id, z, x, y }) => basemaps().tile(id, z, x, y),
  };
}
