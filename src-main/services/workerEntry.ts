// Where a worker's entry module is, and how to start it: the TypeScript source in a checkout (run through tsx), or
// the bundled `<name>.worker.js` beside the services in the Electron build (CHANGEMAP_WORKERS_DIR, set by the app).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { RpcPort } from '../ipc/rpc';

export function workerEntryUrl(name: string, sourceUrl: URL, env: NodeJS.ProcessEnv = process.env): URL {
  const bundled = env.CHANGEMAP_WORKERS_DIR;
  return bundled ? pathToFileURL(path.join(bundled, `${name}.worker.js`)) : sourceUrl;
}

/**
 * Starts a worker from its entry. A .ts entry (source checkout) registers tsx's loader inside the worker first,
 * then imports the entry: a worker's `--import tsx` execArgv does not reach its entry module in Node 20.
 * workerData is always set: geotiff.js pulls in web-worker, whose import throws in a worker thread without it.
 */
export function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: {} });
  // Resolved here so the worker finds tsx whatever its working directory.
  const tsx = pathToFileURL(
    path.join(
      path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
      'dist/esm/api/index.mjs',
    ),
  ).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData: {} });
}

/**
 * A worker thread (from its parent) or a worker's parentPort as the RPC protocol's port. Closing is reported as
 * "failed: <message>" or "stopped (exit code N)", which callers put into their own error.
 */
export function nodeRpcPort(target: Worker | MessagePort): RpcPort {
  const emitter = target as unknown as NodeJS.EventEmitter;
  return {
    postMessage: (message, transfer) => target.postMessage(message, transfer as ArrayBuffer[] | undefined),
    onMessage(listener) {
      emitter.on('message', listener);
      return () => emitter.off('message', listener);
    },
    onClose(listener) {
      const onError = (error: Error) => listener(`failed: ${error.message}`);
      const onExit = (code: number) => listener(`stopped (exit code ${code})`);
      const onClose = () => listener('stopped (port closed)');
      emitter.on('error', onError).on('exit', onExit).on('close', onClose);
      return () => emitter.off('error', onError).off('exit', onExit).off('close', onClose);
    },
  };
}
