// Registers every contract channel on ipcMain through the one validating dispatcher, answering only our own
// renderer's frames, and forwards service events to every window.
import { BrowserWindow, ipcMain } from 'electron';
import { CHANNELS, IPC_EVENT_CHANNEL, IPC_PREFIX, type ApiHandlers } from '../ipc/contract';
import { dispatch, type Logger } from '../ipc/dispatch';
import { fail } from '../ipc/envelope';
import type { EventBus } from '../services/events';
import { isTrustedUrl } from './security';

export function registerIpc(handlers: ApiHandlers, events: EventBus, logger: Logger): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(IPC_PREFIX + channel, (event, payload: unknown) => {
      if (!isTrustedUrl(event.senderFrame?.url)) {
        logger.warn(`Refused ${channel} from an untrusted frame (${event.senderFrame?.url ?? 'unknown'})`);
        return fail('UNAUTHORIZED', 'This window may not use the ChangeMap API.');
      }
      return dispatch(handlers, channel, payload, logger);
    });
  }
  const unsubscribe = events.subscribe((event, payload) => {
    for (const window of BrowserWindow.getAllWindows())
      window.webContents.send(IPC_EVENT_CHANNEL, { event, payload });
  });
  return () => {
    unsubscribe();
    for (const channel of CHANNELS) ipcMain.removeHandler(IPC_PREFIX + channel);
  };
}
