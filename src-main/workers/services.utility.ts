// Electron utility process: hosts every service (project store, imagery, runs, regions, exports) off the main
// process, so heavy raster work never freezes a window and a crash in native code does not take the app down.
// Main forwards validated-sender IPC calls here through ipc/rpc.ts ({ seq, type: channel, payload }) and relays
// the events this process sends ({ event, payload }).
import { apiRpcHandler } from '../ipc/dispatch';
import { serveRpc, type RpcPort } from '../ipc/rpc';
import { AppSession } from '../services/session';

const session = new AppSession({
  userDataDir: process.env.CHANGEMAP_USER_DATA!,
  version: process.env.CHANGEMAP_VERSION ?? '0.0.0',
  modelsDir: process.env.CHANGEMAP_MODELS_DIR || undefined,
  shell: { transport: 'electron' },
});

const parent = process.parentPort;
const port: RpcPort = {
  postMessage: (message) => parent.postMessage(message),
  onMessage(listener) {
    const receive = (message: Electron.MessageEvent) => listener(message.data);
    parent.on('message', receive);
    return () => parent.off('message', receive);
  },
};
session.events.subscribe((event, payload) => parent.postMessage({ event, payload }));
serveRpc(port, apiRpcHandler(session.handlers()), { failureCode: 'INTERNAL' });
process.on('exit', () => session.dispose());
