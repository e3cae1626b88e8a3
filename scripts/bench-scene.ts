// `npm run bench -- scene` (opt-in: it takes tens of minutes on a small CPU): a seed-sized scene end to end, a
// generated 8-bit pair of 43,590 x 43,590 px (1.9 gigapixels per date; the pair is computed window by window, never held or
// written whole) through the whole run with default settings: chips, inference, blending, durable chunks and the
// final tiled GeoTIFF with overviews. Prints the time, scene-Mpx/s, chip coverage and peak resident memory, with the
// load average (run it on an otherwise idle machine).
//   npm run bench:scene -- [--size 43590] [--provider ID] [--keep DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { ProviderRequest } from '../src-main/services/inference/providers';
import { CALIBRATION_FILE, CalibrationCache } from '../src-main/services/inference/threadCalibration';
import { ProjectStore } from '../src-main/services/project/projectStore';
import { RunService } from '../src-main/services/runs/RunService';
import type { RunStats } from '../src-main/services/runs/runEvents';
import { ENGINE_NODE_FLAGS, hasEngineNodeFlags } from '../src-main/services/runs/engineNodeFlags';
import { openRunInputs } from '../src-main/services/runs/openRunInputs';
import { openRunInputsInThread } from '../src-main/services/runs/pairReadThread';
import { defaultUserDataDir } from '../src-main/services/userData';

// Measured as the app's services process runs a scene (engineNodeFlags.ts): started again with those flags when
// without them (npm run starts tsx without).
if (!hasEngineNodeFlags()) {
  const again = spawnSync(
    process.execPath,
    [...process.execArgv, ...ENGINE_NODE_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(again.status ?? 1);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Command()
  .option('--size <px>', 'scene edge in pixels', '43590')
  .option('--provider <id>', 'execution provider (default: auto)')
  .option('--model <name|path>', 'change model', 'changemap-change-v1')
  .option('--keep <dir>', 'work folder to keep')
  .parse(process.argv)
  .opts<{ size: string; provider?: string; model: string; keep?: string }>();
const size = Number(args.size);
const work = args.keep ?? mkdtempSync(path.join(os.tmpdir(), 'cm-bench-scene-'));
const load = () => `load ${os.loadavg()[0].toFixed(1)}`;

const store = ProjectStore.create(path.join(work, `scene-${Date.now()}.gpkg`));
const service = new RunService({
  db: store.db,
  dataDir: store.dataDir,
  modelDirs: [path.join(root, 'models')],
  // As the app opens and reads a pair: here, a generated 8-bit one (inputs below), read as samples as a uint8 image
  // pair is (most imagery is 8-bit), on a reading thread of its own.
  openPair: openRunInputs,
  openPairOnThread: openRunInputsInThread,
  calibration: new CalibrationCache(path.join(defaultUserDataDir(), CALIBRATION_FILE)),
});
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
let stats: RunStats | null = null;
let lastReport = 0;
service.subscribe((e) => {
  if (e.type === 'run:done') stats = e.stats;
  if (e.type === 'run:failed') console.error(e.message);
  if (e.type === 'run:progress' && performance.now() - lastReport > 60_000) {
    lastReport = performance.now();
    console.log(
      `  ${(100 * e.fraction).toFixed(1)}% after ${(performance.now() / 60_000).toFixed(1)} min, ${e.megapixelsPerSecond.toFixed(2)} Mpx/s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB, ${load()}`,
    );
  }
});
console.log(
  `${size} x ${size} px (${((size * size) / 1e9).toFixed(2)} gigapixels per date), ${args.model}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model}), node ${ENGINE_NODE_FLAGS.join(' ')}, ${load()}, ${new Date().toISOString()}`,
);
const id = await service.startRun({
  inputs: { kind: 'synthetic', width: size, height: size, bands: 3, seed: 11, eightBit: true },
  model: args.model,
  provider: args.provider as ProviderRequest | undefined,
});
const run = await service.whenSettled(id);
clearInterval(sampler);
store.close();
if (!args.keep) rmSync(work, { recursive: true, force: true });
if (run.status !== 'done' || !stats) throw new Error(`run ${run.status}: ${run.error}`);
const s = stats as RunStats;
const p = run.params;
console.log(
  `done in ${(s.wallMs / 60_000).toFixed(1)} min: ${(s.pixels / 1e6 / (s.wallMs / 1000)).toFixed(2)} scene-Mpx/s; chunk ${p.chunkSize}, chip ${p.chipSize} (coverage ${(s.chipPixels / s.pixels).toFixed(3)}x), batch ${p.batchSize}, threads ${p.threads ?? 'every core'}, sessions ${p.sessions ?? 1}, model file ${p.variantFile ?? 'full precision'}, provider ${run.providerUsed}; assemble ${(s.assembleMs / 1000).toFixed(0)} s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB; ${load()}, ${new Date().toISOString()}`,
);
