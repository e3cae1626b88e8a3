// Builds the command line into out/cli (esbuild): `changemap` then starts from plain JavaScript instead of
// compiling TypeScript at every start (about 3 s on the 2-core bench machine). npm packages stay external (loaded
// from node_modules as they are); the two worker entries are bundled beside the CLI, which bin/changemap.js names
// in CHANGEMAP_WORKERS_DIR. out/cli sits two folders below the root like src-main/cli, so the paths the code
// derives from its own location (the models folder, the renderer) hold in the bundle too.
//   node scripts/build-cli.mjs [--outdir DIR]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * node:http and node:https reached through `require`, not `import`: Node's ESM wrapper of a built-in reads every
 * export, and http's lazy ones load undici (about 170 ms of every start, though a run from files never uses it).
 */
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
      // The stand-in's own require of the built-in stays Node's (else it would resolve to itself, a cycle).
      args.namespace === 'builtin-require'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'builtin-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents:
        `const m = require('node:${args.path}');\n` +
        'export default m;\nexport const { request, get, Agent, createServer, STATUS_CODES } = m;\n',
      loader: 'js',
    }));
  },
};

/**
 * esbuild's options for the command line's bundle in `outdir` (scripts/startWeight.test.ts builds with them too, to
 * check what each start loads).
 */
export function cliBuildOptions(outdir) {
  return {
    absWorkingDir: root,
    entryPoints: {
      // The entry answers `--version` by itself and imports the rest of the command line (main.ts) for anything else.
      changemap: 'src-main/cli/start.ts',
      'inference.worker': 'src-main/workers/inference.worker.ts',
      'rasterTiles.worker': 'src-main/workers/rasterTiles.worker.ts',
      'pairRead.worker': 'src-main/workers/pairRead.worker.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // Native modules stay outside (loaded from node_modules); everything else is bundled: resolving and lexing
    // dozens of packages at every start cost more than the bundle's size.
    // playwright-core (report PDFs through Chromium) finds its own files and browsers from its package folder.
    // undici (catalogue requests) imports more of node:http than the plugin below hands on: it loads as it is.
    external: ['better-sqlite3', 'onnxruntime-node', 'electron', 'playwright-core', 'tsx', 'tsx/*', 'undici'],
    banner: {
      js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);",
    },
    sourcemap: true,
    // Chunks beside the entries (not in a subfolder): code that finds the root from its own location stays 2 deep.
    chunkNames: 'chunk-[name]-[hash]',
    plugins: [builtinsThroughRequire],
    logLevel: 'warning',
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--outdir');
  const outdir = at > 0 ? path.resolve(process.argv[at + 1]) : path.join(root, 'out', 'cli');
  const started = performance.now();
  await esbuild.build(cliBuildOptions(outdir));
  console.log(
    `build-cli: ${path.relative(root, outdir) || outdir} in ${Math.round(performance.now() - started)} ms`,
  );
}
