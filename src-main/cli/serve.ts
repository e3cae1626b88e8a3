// `changemap serve`: the same UI and services as the desktop app, in a browser, through the loopback host.
// Used where Electron's binary is missing, by the end-to-end tests, and to serve a workstation to a laptop
// over an SSH tunnel.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrowserHost, type BrowserHost } from '../services/browserHost/server';
import { AppSession } from '../services/session';
import { defaultUserDataDir } from '../services/userData';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeOptions {
  port?: number;
  project?: string;
  staticRoot?: string;
  userDataDir?: string;
}

export async function serve(options: ServeOptions = {}): Promise<{ host: BrowserHost; session: AppSession }> {
  const staticRoot = options.staticRoot ?? path.join(repoRoot, 'out', 'renderer');
  if (!fs.existsSync(path.join(staticRoot, 'index.html'))) {
    throw new Error(`The renderer is not built (${staticRoot}); run \`npm run build:renderer\` first.`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const session = new AppSession({
    userDataDir: options.userDataDir ?? defaultUserDataDir(),
    version: pkg.version,
    shell: { transport: 'browser' },
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

function parseArgs(argv: string[]): ServeOptions {
  const options: ServeOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--project') options.project = argv[++i];
    else if (arg === '--static') options.staticRoot = argv[++i];
    else throw new Error(`Unknown option ${arg}`);
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  serve(parseArgs(process.argv.slice(2)))
    .then(({ host, session }) => {
      // The one line a user and the e2e harness look for.
      console.log(`ChangeMap is running at ${host.launchUrl}`);
      const stop = (): void => {
        session.dispose();
        void host.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((error: Error) => {
      console.error(`changemap serve: ${error.message}`);
      process.exit(1);
    });
}
