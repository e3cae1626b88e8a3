// Registers every contract channel on ipcMain, answering only our own renderer's frames, and forwards service
// events to every window. Where a call is answered (main or the services process) is the router's business.
import { BrowserWindow, ipcMain } from 'electron';
import { CHANNELS, IPC_EVENT_CHANNEL, IPC_PREFIX, type Channel, type EventName } from '../ipc/contract';
import type { Logger } from '../ipc/dispatch';
import { fail, type Result } from '../ipc/envelope';
import { isTrustedUrl } from './security';

export type Router = (channel: Channel, payload: unknown) => Promise<Result<unknown>>;
export type Subscribe = (listener: (event: EventName, payload: unknown) => void) => () => void;

export function registerIpc(route: Router, subscribe: Subscribe, logger: Logger): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(IPC_PREFIX + channel, (event, payload: unknown) => {
      if (!isTrustedUrl(event.senderFrame?.url)) {
        logger.warn(`Refused ${channel} from an untrusted frame (${event.senderFrame?.url ?? 'unknown'})`);
        return fail('UNAUTHORIZED', 'This window may not use the ChangeMap API.');
      }
      return route(channel, payload);
    });
  }
  const unsubscribe = subscribe((event, payload) => {
    for (const window of BrowserWindow.getAllWindows())
      window.webContents.send(IPC_EVENT_CHANNEL, { event, payload });
  });
  return () => {
    unsubscribe();
    for (const channel of CHANNELS) ipcMain.removeHandler(IPC_PREFIX + channel);
  };
}
