// API handlers of the export channels: thin mapping from the contract to the export services.
import { ChangeMapError } from '../../core/errors';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

const notYet = (): never => {
  throw new ChangeMapError('NOT_AVAILABLE', 'Exports are not available in this build yet.');
};

export function exportHandlers(_ctx: HandlerContext): DomainHandlers<'export:'> {
  return {
    'export:regions': notYet,
    'export:raster': notYet,
  };
}
