// API handlers of the imagery channels: thin mapping from the contract to the imagery services.
import { imageryPreviewTile } from '../preview/previewTiles';
import type { DomainHandlers, HandlerContext } from './handlerTypes';
import { ProjectImagery } from './projectImagery';

export const projectImagery = (ctx: HandlerContext): ProjectImagery =>
  ctx.projectService('imagery', (project) => new ProjectImagery(project));

export function imageryHandlers(ctx: HandlerContext): DomainHandlers<'imagery:'> {
  const announce = <T extends Awaited<ReturnType<ProjectImagery['state']>>>(state: T): T => {
    ctx.events.emit('imagery:changed', state);
    return state;
  };
  return {
    'imagery:get': () => projectImagery(ctx).state(),
    'imagery:setFiles': async ({ role, uris }) => announce(await projectImagery(ctx).setFiles(role, uris)),
    'imagery:clear': async ({ role }) => announce(await projectImagery(ctx).clear(role)),
    'imagery:setBandRoles': async ({ role, roles }) =>
      announce(await projectImagery(ctx).setBandRoles(role, roles)),
    'imagery:previewTile': ({ role, z, x, y }) => imageryPreviewTile(ctx, projectImagery(ctx), role, z, x, y),
  };
}
