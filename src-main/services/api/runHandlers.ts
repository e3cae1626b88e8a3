// API handlers of the model, provider and run channels: thin mapping from the contract to the run service.
import { ChangeMapError } from '../../core/errors';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

const notYet = (): never => {
  throw new ChangeMapError('NOT_AVAILABLE', 'Runs are not available in this build yet.');
};

export function runHandlers(_ctx: HandlerContext): DomainHandlers<'run:' | 'models:' | 'providers:'> {
  return {
    'models:list': () => [],
    'models:add': notYet,
    'providers:list': () => [{ id: 'cpu', label: 'CPU', available: true }],
    'run:start': notYet,
    'run:cancel': notYet,
    'run:resume': notYet,
    'run:get': notYet,
    'run:list': () => [],
    'run:probabilityTile': () => null,
  };
}
