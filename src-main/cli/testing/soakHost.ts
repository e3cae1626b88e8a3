// The browser host as the soak test runs it: in a child process of its own (started with --expose-gc), over the
// real AppSession with a project open, so its memory can be measured apart from the test's clients. Prints one
// JSON line { port, token } when it listens; answers { measure: true } on its IPC channel with its memory after
// garbage collection and the number of sockets still subscribed to events.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBus, type EventListener } from '../../services/events';
import { AppSession } from '../../services/session';
import { startBrowserHost } from '../../services/browserHost/server';

/** Counts the sockets subscribed to events: each must unsubscribe when it goes, whatever way it goes. */
class CountingBus extends EventBus {
  subscribed = 0;
  override subscribe(listener: EventListener): () => void {
    this.subscribed++;
    const off = super.subscribe(listener);
    return () => {
      this.subscribed--;
      off();
    };
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('soakHost needs --expose-gc');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-soak-'));
const www = path.join(dir, 'www');
fs.mkdirSync(www);
fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><h1>ChangeMap</h1>');
const session = new AppSession({
  userDataDir: path.join(dir, 'user'),
  version: 'soak',
  shell: { transport: 'browser' },
  browseRoots: [dir],
});
session.createProject(path.join(dir, 'soak.gpkg'), 'Soak');
const events = new CountingBus();
// The session's own events reach the sockets through the counting bus.
session.events.subscribe((name, payload) => events.emit(name, payload));
const quiet = { error: () => undefined, warn: () => undefined };
const host = await startBrowserHost({ handlers: session.handlers(), events, staticRoot: www, logger: quiet });

process.on('message', async (message: { measure?: boolean; emit?: boolean; stop?: boolean }) => {
  if (message.emit) {
    session.events.emit('log:warning', { message: 'soak' });
    process.send!({ emitted: true });
  }
  if (message.measure) {
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
    process.send!({ heapUsed, rss, external, arrayBuffers, subscribed: events.subscribed });
  }
  if (message.stop) {
    await host.close();
    session.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});

process.stdout.write(`${JSON.stringify({ port: host.port, token: host.token })}\n`);
