// API handlers of the imagery channels: thin mapping from the contract to the imagery services.
import type { ImageryState } from '../../ipc/contract';
import { imageryPreviewTile } from '../preview/previewTiles';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

export function imageryHandlers(ctx: HandlerContext): DomainHandlers<'imagery:'> {
  const imagery = () => ctx.services().imagery;
  const announce = (state: ImageryState): ImageryState => {
    ctx.events.emit('imagery:changed', state);
    return state;
  };
  return {
    'imagery:get': () => imagery().state(),
    'imagery:setFiles': async ({ role, uris }) => announce(await imagery().setFiles(role, uris)),
    'imagery:clear': async ({ role }) => announce(await imagery().clear(role)),
    'imagery:setBandRoles': async ({ role, roles }) => announce(await imagery().setBandRoles(role, roles)),
    'imagery:setAcquiredAt': async (request) =>
      announce(
        await imagery().setAcquiredAt('role' in request ? request.role : request.dateId, request.date),
      ),
    'imagery:addDate': async ({ uris, acquiredAt }) => announce(await imagery().addDate(uris, acquiredAt)),
    'imagery:setDateFiles': async ({ dateId, uris }) => announce(await imagery().setDateFiles(dateId, uris)),
    'imagery:removeDate': async ({ dateId }) => announce(await imagery().removeDate(dateId)),
    'imagery:setPixelSize': async ({ sizeM }) => announce(await imagery().setPixelSize(sizeM)),
    'imagery:previewTile': ({ z, x, y, ...which }) =>
      imageryPreviewTile(
        ctx.services().preview,
        imagery(),
        'role' in which ? which.role : which.dateId,
        z,
        x,
        y,
      ),
  };
}
