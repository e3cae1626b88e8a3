#!/usr/bin/env -S node --initial-old-space-size=64
// `changemap` from a checkout (`npx changemap ...`): the built bundle in out/cli when it is up to date (setup and
// `npm run build:cli` make it), else src-main/cli/start.ts through tsx's loader (bin/cliEntry.js decides).
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseCliEntry } from './cliEntry.js';

// Compiled code kept between starts (Node >= 22.1; in the OS temporary folder): the bundle then parses once. Named
// in the environment too, so the worker threads (inference, raster tiles) use the cache: enableCompileCache() acts
// on this thread only, and a worker reads NODE_COMPILE_CACHE when it starts.
process.env.NODE_COMPILE_CACHE ??= path.join(os.tmpdir(), 'node-compile-cache');
module.enableCompileCache?.();
const choice = chooseCliEntry(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (choice.kind === 'bundle') {
  // The bundled worker entries sit beside it (services/workerEntry.ts).
  process.env.CHANGEMAP_WORKERS_DIR ??= choice.workersDir;
} else {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import(pathToFileURL(choice.entry).href);
process.exitCode = await main(process.argv.slice(2));
