// What each start of `changemap` loads, read from the bundle's own build (scripts/build-cli.mjs, its options and its
// esbuild metafile): `--version` loads the version and nothing else, and `run` loads no module it does not need
// before its first chunk (ONNX Runtime runs in the inference worker; the catalogue client, the boundary readers and
// the STAC libraries load when used). A static import of one of them makes every start slower: it fails here.
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript build script without types
import { cliBuildOptions } from './build-cli.mjs';

/** Modules a start must not load; each is loaded where it is used (a dynamic import). */
const HEAVY = [
  'onnxruntime-node',
  'undici',
  'shpjs',
  'flatgeobuf',
  'stac-js',
  'playwright-core',
  'jsts',
  'world-atlas',
  // The scale-out's queue (changemap worker, run --engine queue).
  'bullmq',
  'ioredis',
  // The scale-out's S3 output store (run --output s3://..., and the workers of such a run).
  '@aws-sdk/client-s3',
];

interface Loaded {
  /** Source files bundled into the chunks loaded, relative to the root. */
  sources: string[];
  /** Packages and built-ins loaded from outside the bundle. */
  externals: string[];
}

const build = (async () => {
  const options = cliBuildOptions(path.join(os.tmpdir(), 'cm-start-weight'));
  const result = await esbuild.build({ ...options, write: false, metafile: true, sourcemap: false });
  return result.metafile!;
})();

/** The chunks a chunk loads before its code runs (static imports, followed), and what they hold. */
function staticallyLoaded(metafile: esbuild.Metafile, chunk: string): Loaded {
  const seen = new Set<string>();
  const externals = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.outputs[file].imports) {
      if (i.kind === 'dynamic-import') continue;
      if (i.external) externals.add(i.path);
      else visit(i.path);
    }
  };
  visit(chunk);
  const sources = [...seen].flatMap((file) => Object.keys(metafile.outputs[file].inputs));
  return { sources, externals: [...externals] };
}

/** The output chunk that holds `source`. */
function chunkOf(metafile: esbuild.Metafile, source: string): string {
  const found = Object.entries(metafile.outputs).find(([, o]) => source in o.inputs);
  if (!found) throw new Error(`${source} is in no chunk of the bundle`);
  return found[0];
}

/** Names of heavy packages among the loaded sources and externals. */
function heavyIn(loaded: Loaded): string[] {
  return HEAVY.filter(
    (name) =>
      loaded.externals.some((e) => e === name || e.startsWith(`${name}/`)) ||
      loaded.sources.some((s) => s.includes(`node_modules/${name}/`)),
  );
}

describe('what a start of changemap loads', () => {
  it('--version: the entry loads the version and the exit codes, nothing else', async () => {
    const metafile = await build;
    const loaded = staticallyLoaded(metafile, chunkOf(metafile, 'src-main/cli/start.ts'));
    expect(loaded.sources.sort()).toEqual([
      'src-main/cli/exitCodes.ts',
      'src-main/cli/packageVersion.ts',
      'src-main/cli/start.ts',
    ]);
    expect(loaded.externals.every((e) => e.startsWith('node:'))).toBe(true);
  }, 60_000);

  it('run: no heavy module before the run itself (ONNX Runtime, undici, boundary readers, STAC, PDF)', async () => {
    const metafile = await build;
    const loaded = staticallyLoaded(metafile, chunkOf(metafile, 'src-main/cli/runCommand.ts'));
    expect(loaded.sources).toContain('src-main/services/session.ts');
    expect(heavyIn(loaded)).toEqual([]);
  }, 60_000);

  it('the check sees a heavy module where one is imported', async () => {
    const metafile = await build;
    // The inference worker loads ONNX Runtime at its start, as it must: the same check names it there.
    const worker = staticallyLoaded(metafile, chunkOf(metafile, 'src-main/workers/inference.worker.ts'));
    expect(heavyIn(worker)).toEqual(['onnxruntime-node']);
  }, 60_000);
});
