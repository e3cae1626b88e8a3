// `changemap serve`: the same UI and services as the desktop app, in a browser, through the loopback host.
// Used where Electron's binary is missing, by the end-to-end tests, and to serve a workstation to a laptop
// over an SSH tunnel.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import { startBrowserHost, type BrowserHost } from '../services/browserHost/server';
import { AppSession } from '../services/session';
import { defaultUserDataDir } from '../services/userData';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeOptions {
  port?: number;
  project?: string;
  staticRoot?: string;
  userDataDir?: string;
  /** Folders the file browser may show besides the home folder (`--root`). */
  roots?: string[];
}

export async function serve(options: ServeOptions = {}): Promise<{ host: BrowserHost; session: AppSession }> {
  const staticRoot = options.staticRoot ?? path.join(repoRoot, 'out', 'renderer');
  if (!fs.existsSync(path.join(staticRoot, 'index.html'))) {
    throw new ChangeMapError(
      'RENDERER_NOT_BUILT',
      `The renderer is not built (${staticRoot}); run \`npm run build:renderer\` first.`,
    );
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const session = new AppSession({
    userDataDir: options.userDataDir ?? defaultUserDataDir(),
    version: pkg.version,
    shell: { transport: 'browser' },
    browseRoots: [os.homedir(), ...(options.roots ?? [])],
  });
  if (options.project) session.openProject(options.project);
  const host = await startBrowserHost({
    handlers: session.handlers(),
    events: session.events,
    staticRoot,
    port: options.port,
  });
  return { host, session };
}

/** `changemap serve`: prints the URL with its token (the one line a user and `npm start` look for), then serves. */
export async function serveCommand(options: ServeOptions): Promise<number> {
  let started: Awaited<ReturnType<typeof serve>>;
  try {
    started = await serve(options);
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    process.stderr.write(`changemap: ${error.message} [${error.code}]\n`);
    return 1;
  }
  const { host, session } = started;
  process.stdout.write(`ChangeMap is running at ${host.launchUrl}\n`);
  return new Promise<number>((resolve) => {
    // The project closes once its services have (a run cancelled and recorded, regions being found finished).
    const stop = (): void => {
      void session
        .close()
        .catch(() => session.dispose())
        .then(() => host.close())
        .then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
