// What a domain's API handlers get from the app session, and the shape of a domain's handler set.
import type { ApiHandlers, Channel } from '../../ipc/contract';
import type { EventBus } from '../events';
import type { ProjectStore } from '../project/projectStore';
import type { ProjectScoped } from '../session';

export interface HandlerContext {
  readonly events: EventBus;
  /** Folder of the shipped models. */
  readonly modelsDir: string;
  requireProject(): ProjectStore;
  projectService<T extends ProjectScoped>(key: string, make: (project: ProjectStore) => T): T;
}

/** The handlers of the channels whose names start with a prefix, e.g. DomainHandlers<'run:'>. */
export type DomainHandlers<P extends string> = Pick<ApiHandlers, Extract<Channel, `${P}${string}`>>;
