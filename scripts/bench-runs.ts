// Runs bench: generated before/after GeoTIFF pairs (default 5000² and 20000²), run through the whole pipeline
// (read + align, chips, inference, blend, durable chunk writes, final GeoTIFF). Prints Mpx/s per stage and end
// to end, the share of wall time the provider is busy, peak RSS, and the pipeline's chip throughput against the
// bare model's measured in the same process.
//   npm run bench:runs -- [--sizes 5000,20000] [--model NAME|CARD] [--provider cpu] [--threads N] [--keep DIR]
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../src-main/cli/args';
import { createGeoTiffWriter } from '../src-main/services/imagery/geotiffWriter';
import { InferenceWorker } from '../src-main/services/inference/inferenceWorker';
import { resolveModel } from '../src-main/services/inference/modelCatalog';
import type { ProviderRequest } from '../src-main/services/inference/providers';
import { ProjectStore } from '../src-main/services/project/projectStore';
import { RunService } from '../src-main/services/runs/RunService';
import type { RunStats } from '../src-main/services/runs/runEvents';
import { openRunInputs } from '../src-main/services/runs/openRunInputs';
import { syntheticPair } from '../src-main/services/runs/syntheticPair';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = parseArgs(process.argv.slice(2));
const sizes = (args.flags.get('sizes')?.[0] ?? '5000,20000').split(',').map(Number);
const provider = (args.flags.get('provider')?.[0] ?? 'cpu') as ProviderRequest;
const threads = args.flags.get('threads')?.[0] ? Number(args.flags.get('threads')![0]) : undefined;
const modelDirs = [path.join(root, 'models'), path.join(root, 'models', 'test')];
const modelName =
  args.flags.get('model')?.[0] ??
  (existsSync(path.join(root, 'models', 'changemap-change-v1.card.json'))
    ? 'changemap-change-v1'
    : 'tiny-change');
const cardPath = resolveModel(modelName, modelDirs, 'change-detection');
const work = args.flags.get('keep')?.[0] ?? mkdtempSync(path.join(os.tmpdir(), 'cm-bench-runs-'));
mkdirSync(work, { recursive: true });

/** Writes the generated pair as uint8 RGB GeoTIFFs, 1024-row strips at a time (never the whole scene). */
async function writePair(size: number): Promise<[string, string]> {
  const files: [string, string] = [
    path.join(work, `before-${size}.tif`),
    path.join(work, `after-${size}.tif`),
  ];
  if (files.every((f) => existsSync(f))) return files;
  const source = syntheticPair({ width: size, height: size, bands: 3, seed: 3 });
  const writers = await Promise.all(
    files.map((f) =>
      createGeoTiffWriter(f, {
        width: size,
        height: size,
        bands: 3,
        sampleType: 'uint8',
        grid: source.grid,
        deflateLevel: 1,
        overviews: false,
        nodata: 0,
      }),
    ),
  );
  for (let y = 0; y < size; y += 1024) {
    const window = { x: 0, y, width: size, height: Math.min(1024, size - y) };
    const chunk = await source.read(window);
    for (const [k, planes] of [chunk.before, chunk.after].entries()) {
      const bytes = new Uint8Array(planes.length);
      const n = window.width * window.height;
      for (let i = 0; i < planes.length; i++) {
        bytes[i] = chunk.valid[i % n] ? Math.min(255, Math.max(1, Math.round(planes[i] * 255))) : 0;
      }
      await writers[k].writeWindow(window, bytes);
    }
  }
  await Promise.all(writers.map((w) => w.close()));
  return files;
}

/** The bare model: batches of chips straight into the worker, nothing else. */
async function bareModel(batch: number, seconds = 8): Promise<{ chipMpxPerS: number; provider: string }> {
  const worker = await InferenceWorker.start(cardPath, { provider, threads });
  const { chipSize, bands } = worker.info;
  const plane = bands * chipSize * chipSize;
  // The inputs are made once; each batch sends a copy (a transfer moves the buffer away).
  const base = new Float32Array(batch * plane).map((_, i) => Math.sin(i * 0.01));
  const make = () => base.slice();
  await worker.predict(make(), make(), batch); // warm-up
  let chips = 0;
  const t = performance.now();
  while (performance.now() - t < seconds * 1000) {
    await worker.predict(make(), make(), batch);
    chips += batch;
  }
  const s = (performance.now() - t) / 1000;
  await worker.terminate();
  return { chipMpxPerS: (chips * chipSize * chipSize) / s / 1e6, provider: worker.info.providerUsed };
}

async function runOnce(size: number, files: [string, string]) {
  const project = path.join(work, `bench-${size}-${Date.now()}.gpkg`);
  const store = ProjectStore.create(project);
  const service = new RunService({
    db: store.db,
    dataDir: store.dataDir,
    modelDirs,
    openPair: openRunInputs,
  });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  let stats: RunStats | null = null;
  service.subscribe((e) => {
    if (e.type === 'run:done') stats = e.stats;
    if (e.type === 'run:failed') console.error(e.message);
  });
  const id = await service.startRun({
    inputs: { kind: 'files', before: [files[0]], after: [files[1]] },
    model: cardPath,
    provider,
    threads,
  });
  const run = await service.whenSettled(id);
  clearInterval(sampler);
  store.close();
  rmSync(path.join(work, `${path.parse(project).name}.data`), { recursive: true, force: true });
  rmSync(project, { force: true });
  if (run.status !== 'done' || !stats) throw new Error(`run ${run.status}: ${run.error}`);
  return {
    stats: stats as RunStats,
    peakRss: peak,
    chunkSize: run.params.chunkSize,
    batch: run.params.batchSize,
    providerUsed: run.providerUsed,
  };
}

const mpx = (px: number, ms: number) => (ms > 0 ? px / 1e6 / (ms / 1000) : Infinity);
console.log(
  `model ${modelName} (${cardPath}), provider ${provider}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), node ${process.version}`,
);
for (const size of sizes) {
  const t = performance.now();
  const files = await writePair(size);
  console.log(`\n${size} x ${size}: pair generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const r = await runOnce(size, files);
  const s = r.stats;
  const bare = await bareModel(r.batch);
  const pipelineChip = mpx(s.chipPixels, s.wallMs);
  console.log(`  chunk ${r.chunkSize} px, batch ${r.batch}, provider used ${r.providerUsed}`);
  console.log(
    `  read+align   ${mpx(s.pixels, s.readMs).toFixed(2)} Mpx/s   (${(s.readMs / 1000).toFixed(1)} s, overlapped)`,
  );
  console.log(
    `  inference    ${mpx(s.chipPixels, s.inferenceMs).toFixed(2)} chip-Mpx/s = ${mpx(s.pixels, s.inferenceMs).toFixed(2)} grid-Mpx/s   (${(s.inferenceMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  chips+blend  ${mpx(s.pixels, s.prepareMs).toFixed(2)} Mpx/s   (${(s.prepareMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  write        ${mpx(s.pixels, s.writeMs).toFixed(2)} Mpx/s chunks (${(s.writeMs / 1000).toFixed(1)} s), assemble ${mpx(s.pixels, s.assembleMs).toFixed(2)} Mpx/s (${(s.assembleMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  end to end   ${mpx(s.pixels, s.wallMs).toFixed(2)} Mpx/s   (${(s.wallMs / 1000).toFixed(1)} s)`,
  );
  console.log(`  provider busy ${((100 * s.inferenceMs) / s.wallMs).toFixed(0)}% of wall time`);
  console.log(`  peak RSS     ${(r.peakRss / 2 ** 20).toFixed(0)} MiB`);
  console.log(
    `  bare model   ${bare.chipMpxPerS.toFixed(2)} chip-Mpx/s; pipeline ${pipelineChip.toFixed(2)} chip-Mpx/s = ${((100 * pipelineChip) / bare.chipMpxPerS).toFixed(0)}% of bare (target >= 80%)`,
  );
}
if (!args.flags.has('keep')) rmSync(work, { recursive: true, force: true });
