// API handlers of the imagery channels: thin mapping from the contract to the imagery services.
import { ChangeMapError } from '../../core/errors';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

const notYet = (): never => {
  throw new ChangeMapError('NOT_AVAILABLE', 'Adding imagery is not available in this build yet.');
};

export function imageryHandlers(_ctx: HandlerContext): DomainHandlers<'imagery:'> {
  return {
    'imagery:get': () => ({ before: null, after: null, preflight: [] }),
    'imagery:setFiles': notYet,
    'imagery:clear': notYet,
    'imagery:setBandRoles': notYet,
    'imagery:previewTile': () => null,
  };
}
