// What a domain's API handlers get from the app session, the shape of a domain's handler set, and the one
// encoding of image bytes in answers.
import type { ApiHandlers, Channel } from '../../ipc/contract';
import type { EventBus } from '../events';
import type { ProjectStore } from '../project/projectStore';
import type { ProjectServices } from '../projectServices';

export interface HandlerContext {
  readonly events: EventBus;
  /** Folder of the shipped models. */
  readonly modelsDir: string;
  requireProject(): ProjectStore;
  /** The open project's services (throws NO_PROJECT when none is open). */
  services(): ProjectServices;
}

/** The handlers of the channels whose names start with a prefix, e.g. DomainHandlers<'run:'>. */
export type DomainHandlers<P extends string> = Pick<ApiHandlers, Extract<Channel, `${P}${string}`>>;

/** Image bytes as the API carries them (PNG in base64, see TileImage). */
export const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
