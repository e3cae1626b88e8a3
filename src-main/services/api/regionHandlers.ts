// API handlers of the region channels: thin mapping from the contract to the regions services.
import { ChangeMapError } from '../../core/errors';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

const notYet = (): never => {
  throw new ChangeMapError('NOT_AVAILABLE', 'Change regions are not available in this build yet.');
};

export function regionHandlers(_ctx: HandlerContext): DomainHandlers<'regions:'> {
  return {
    'regions:compute': notYet,
    'regions:list': () => ({ total: 0, items: [] }),
    'regions:get': notYet,
    'regions:review': notYet,
    'regions:spotCheck': notYet,
    'regions:outlines': () => [],
  };
}
