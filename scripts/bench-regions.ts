// Benchmark: regions of a 100-megapixel probability raster after a threshold change (target < 10 s), and
// classification throughput in regions per second. Run: npm run bench:regions [-- --size 10000 --json out.json]
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GridSpec } from '../src-main/core/raster/types';
import { MIGRATIONS } from '../src-main/services/project/schema';
import { computeRegions } from '../src-main/services/regions/computeRegions';
import { listRegions } from '../src-main/services/regions/listRegions';
import { memoryProbabilityReader } from '../src-main/services/regions/probabilityReader';
import {
  classifierFrom,
  classifyRegions,
  type RegionClassifier,
} from '../src-main/services/regions/classifyRegions';
import { brightnessClassifier, proceduralPairSource } from '../src-main/services/regions/fakes';
import { LandCoverClassifier } from '../src-main/services/inference/onnxModel';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Smooth blobs with ragged edges: a field of sine bumps plus hashed noise, as uint8 probability x 255. */
function syntheticProbability(w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const sx = new Float32Array(w);
  for (let x = 0; x < w; x++) sx[x] = Math.sin(x / 23) + 0.5 * Math.sin(x / 7.3);
  for (let y = 0; y < h; y++) {
    const sy = Math.sin(y / 31) + 0.5 * Math.sin(y / 9.1);
    for (let x = 0; x < w; x++) {
      let n = (Math.imul(x, 73856093) ^ Math.imul(y, 19349663)) >>> 0;
      n = Math.imul(n ^ (n >>> 13), 1274126177) >>> 0;
      const v = 0.5 + 0.22 * sx[x] * sy + 0.12 * ((n & 0xffff) / 0xffff - 0.5);
      out[y * w + x] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
  }
  return out;
}

/** Throughput of classifyRegions on the largest regions: the shipped ONNX classifier (CPU) if it loads, else a fake. */
async function benchClassification(db: Database.Database, runId: number, grid: GridSpec, count: number) {
  let classifier: RegionClassifier;
  let model = 'fake (brightness)';
  let dispose = async (): Promise<void> => {};
  try {
    const loaded = await LandCoverClassifier.load(path.resolve('models/changemap-landcover-v1.card.json'), {
      provider: (arg('provider', 'cpu') as 'cpu') ?? 'cpu',
    });
    classifier = classifierFrom(loaded);
    model = `${loaded.card.name} ${loaded.card.version} (${loaded.model.providerUsed})`;
    dispose = () => loaded.dispose();
  } catch (error) {
    console.error(`Classifier model not loaded (${String(error)}); using a fake.`);
    classifier = brightnessClassifier();
  }
  const summary = await classifyRegions(db, runId, proceduralPairSource(grid, 3), classifier, {
    maxRegions: count,
    batchSize: 32,
  });
  await dispose();
  return {
    model,
    regions: summary.classified,
    ms: Math.round(summary.millis),
    regionsPerSecond: Math.round(summary.regionsPerSecond),
  };
}

async function main(): Promise<void> {
  const size = Number(arg('size', '10000'));
  const chunkSize = Number(arg('chunk', '2048'));
  const grid: GridSpec = {
    width: size,
    height: size,
    geoTransform: [400_000, 3, 0, 5_500_000, 0, -3],
    crs: {
      code: 'EPSG:32633',
      name: 'WGS 84 / UTM zone 33N',
      proj4: '+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs',
      units: 'm',
    },
  };
  let t = performance.now();
  const values = syntheticProbability(size, size);
  const genMs = performance.now() - t;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-regions-'));
  const db = new Database(path.join(dir, 'bench.gpkg'));
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS) db.exec(m.sql);
  const runId = Number(
    db
      .prepare(
        `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
         VALUES ('done', 'bench', '1', '', 'cpu', '{}')`,
      )
      .run().lastInsertRowid,
  );
  const reader = memoryProbabilityReader(grid, values);
  const settings = { threshold: 0.6, openingRadius: 1, closingRadius: 1, minAreaM2: 200, chunkSize };
  const first = await computeRegions(db, runId, reader, settings);
  // Review a few regions so the threshold change has reviews to carry.
  for (const r of listRegions(db, { runId, limit: 20 }).regions)
    db.prepare("UPDATE change_regions SET review_state = 'confirmed' WHERE fid = ?").run(r.fid);
  t = performance.now();
  const second = await computeRegions(db, runId, reader, { ...settings, threshold: 0.65 });
  const thresholdChangeMs = performance.now() - t;
  t = performance.now();
  const page = listRegions(db, {
    runId,
    sort: { key: 'probability' },
    filters: { minAreaM2: 500 },
    offset: 100,
    limit: 100,
  });
  const listMs = performance.now() - t;
  const classification = await benchClassification(db, runId, grid, Number(arg('classify', '500')));
  const result = {
    machine: `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`,
    megapixels: (size * size) / 1e6,
    chunkSize,
    syntheticRasterMs: Math.round(genMs),
    firstRegions: { count: first.regionCount, ms: Math.round(first.millis) },
    thresholdChange: {
      ms: Math.round(thresholdChangeMs),
      regions: second.regionCount,
      reviewsCarried: second.reviewsCarried,
      passes: second.passes,
      targetMs: 10_000,
    },
    listPageMs: Math.round(listMs * 10) / 10,
    listTotal: page.total,
    classification,
  };
  console.log(JSON.stringify(result, null, 2));
  const out = arg('json', '');
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
