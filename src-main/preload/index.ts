// A dumb preload: exactly the API contract, one method per channel, and events as on(name, cb) -> unsubscribe.
// ipcRenderer itself is never exposed. Runs sandboxed, so it imports nothing but electron and the channel list.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  CHANNELS,
  EVENT_NAMES,
  IPC_EVENT_CHANNEL,
  IPC_PREFIX,
  type Channel,
  type EventName,
} from '../ipc/channels';

type Listener = (payload: unknown) => void;

const invoke = Object.fromEntries(
  CHANNELS.map((channel) => [
    channel,
    (payload: unknown) => ipcRenderer.invoke(IPC_PREFIX + channel, payload ?? {}),
  ]),
) as Record<Channel, (payload: unknown) => Promise<unknown>>;

const bridge = {
  invoke,
  /** The file-system path of a file dropped on the window (sandboxed renderers cannot see File.path). */
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
  on(event: EventName, listener: Listener): () => void {
    if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, message: { event: EventName; payload: unknown }): void => {
      if (message?.event === event) listener(message.payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, handler);
  },
};

export type PreloadBridge = typeof bridge;

contextBridge.exposeInMainWorld('changemap', bridge);
