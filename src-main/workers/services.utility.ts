// Electron utility process: hosts every service (project store, imagery, runs, regions, exports) off the main
// process, so heavy raster work never freezes a window and a crash in native code does not take the app down.
// Main forwards validated-sender IPC calls here as { seq, channel, payload } and relays events back.
import { dispatch } from '../ipc/dispatch';
import { AppSession } from '../services/session';

interface Call {
  seq: number;
  channel: string;
  payload: unknown;
}

const session = new AppSession({
  userDataDir: process.env.CHANGEMAP_USER_DATA!,
  version: process.env.CHANGEMAP_VERSION ?? '0.0.0',
  modelsDir: process.env.CHANGEMAP_MODELS_DIR || undefined,
  shell: { transport: 'electron' },
});

const port = process.parentPort;
session.events.subscribe((event, payload) => port.postMessage({ event, payload }));
port.on('message', (message) => {
  const call = message.data as Call;
  void dispatch(session.handlers(), call.channel, call.payload).then((result) =>
    port.postMessage({ seq: call.seq, result }),
  );
});
process.on('exit', () => session.dispose());
