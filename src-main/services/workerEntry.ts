// Where a worker's entry module is: the TypeScript source in a checkout (run through tsx), or the bundled
// `<name>.worker.js` beside the services in the Electron build (CHANGEMAP_WORKERS_DIR, set by the app).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function workerEntryUrl(name: string, sourceUrl: URL, env: NodeJS.ProcessEnv = process.env): URL {
  const bundled = env.CHANGEMAP_WORKERS_DIR;
  return bundled ? pathToFileURL(path.join(bundled, `${name}.worker.js`)) : sourceUrl;
}
