import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromFile } from 'geotiff';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { ProjectStore } from '../project/projectStore';
import { PROBABILITY_NODATA } from '../../core/tiling/blend';
import { RunService, type RunServiceDeps } from './RunService';
import type { RunEvent } from './runEvents';
import { openRunInputs } from './openRunInputs';
import { syntheticPair } from './syntheticPair';
import { writeSyntheticPairFiles } from './syntheticPairFiles';
import type { RunInputs } from './runTypes';
import { fakePredictor, type FakePredictorOptions } from './testing/fakePredictor';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cm-runs-'));
  dirs.push(d);
  return d;
}

const inputs: RunInputs = { kind: 'synthetic', width: 700, height: 530, bands: 3, seed: 7 };

function service(fake: FakePredictorOptions = {}, extra: Partial<RunServiceDeps> = {}) {
  const dataDir = tempDir();
  const events: RunEvent[] = [];
  const svc = new RunService({
    db: openMemoryProjectDb(),
    dataDir,
    modelDirs: [],
    openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
    startPredictor: async () => fakePredictor(fake),
    ...extra,
  });
  svc.subscribe((e) => events.push(e));
  return { svc, events, dataDir };
}

async function readProbability(file: string): Promise<Uint8Array> {
  const tiff = await fromFile(file);
  const image = await tiff.getImage();
  const [band] = (await image.readRasters()) as unknown as Uint8Array[];
  return band;
}

/** A polygon area of interest of three corners (map coordinates of the generated pair's UTM grid). */
function triangle(...corners: [number, number][]) {
  return { kind: 'polygon' as const, rings: [[...corners, corners[0]]] };
}

async function runToEnd(
  chunkSize: number,
  fake: FakePredictorOptions = {},
  extra: Partial<RunServiceDeps> = {},
) {
  const { svc, events } = service(fake, extra);
  const id = await svc.startRun({ inputs, model: 'fake.card.json', chunkSize, overlap: 8, batchSize: 7 });
  const run = await svc.whenSettled(id);
  expect(run.status, JSON.stringify(events.find((e) => e.type === 'run:failed'))).toBe('done');
  return { run, events, probability: await readProbability(run.probabilityPath!) };
}

describe('RunService with a fake model', () => {
  it('gives the same bytes when the predictor hands its input arrays back for reuse (stale contents overwritten)', async () => {
    const fresh = await runToEnd(256);
    const reused = await runToEnd(256, { recycleInputs: true });
    expect(reused.probability).toEqual(fresh.probability);
    // A strip narrower than a chip: every chip hangs over the grid's edge, and its padding must be written too.
    const strip = async (recycleInputs: boolean) => {
      const { svc } = service({ recycleInputs });
      const id = await svc.startRun({
        inputs: { kind: 'synthetic', width: 300, height: 20, bands: 3, seed: 3 },
        model: 'fake.card.json',
        chunkSize: 256,
        overlap: 8,
        batchSize: 2,
      });
      const run = await svc.whenSettled(id);
      expect(run.status, run.error ?? '').toBe('done');
      return readProbability(run.probabilityPath!);
    };
    expect(await strip(true)).toEqual(await strip(false));
  });

  it('gives the same bytes when float reads fill the planes of earlier chunks as when every read allocates its own', async () => {
    const files = await writeSyntheticPairFiles(tempDir(), { width: 700, height: 530, seed: 4 });
    const fileInputs: RunInputs = { kind: 'files', before: [files.before], after: [files.after] };
    // 200-px chips: the chips of each row's last chunk (188 px wide) are all computed by the chunk before it.
    const run = async (openPair: RunServiceDeps['openPair']) => {
      const { svc } = service({ chipSize: 200, delayMs: 2 }, { openPair });
      // Batches of one chip: the next chunk is read while this one's chips are still being cut.
      const id = await svc.startRun({
        inputs: fileInputs,
        model: 'fake.card.json',
        chunkSize: 256,
        overlap: 8,
        batchSize: 1,
      });
      const done = await svc.whenSettled(id);
      expect(done.status, done.error ?? '').toBe('done');
      expect(done.chunks.length).toBe(9);
      return readProbability(done.probabilityPath!);
    };
    let offered = 0;
    let reads = 0;
    const pairs = new Set<ArrayBufferLike>();
    const reused = await run(async (inputs, options) => {
      const source = await openRunInputs(inputs, options);
      return {
        ...source,
        // Float planes (sources that cannot keep 8-bit samples): see the next test for samples.
        samples: undefined,
        read: (window, options) => {
          const reuse = options?.reuse;
          reads++;
          if (reuse && reuse.before.length >= window.width * window.height * source.bands) offered++;
          if (reuse) pairs.add(reuse.before.buffer);
          return source.read(window, options);
        },
      };
    });
    expect(offered).toBeGreaterThan(2);
    // One pair being cut and one read ahead: no more are ever made, even where chunks that read nothing (their
    // chips all computed by earlier chunks) hand both back at once.
    expect(reads).toBe(4);
    expect(pairs.size).toBe(2);
    const fresh = await run(async (inputs, options) => {
      const source = await openRunInputs(inputs, options);
      return {
        ...source,
        samples: undefined,
        read: (window, options) => source.read(window, { ...options, reuse: undefined }),
      };
    });
    expect(reused).toEqual(fresh);
  });

  it('gives the same bytes from 8-bit samples (planes reused, polygon area, nodata) as from float planes', async () => {
    const files = await writeSyntheticPairFiles(tempDir(), { width: 700, height: 530, seed: 4 });
    const fileInputs: RunInputs = { kind: 'files', before: [files.before], after: [files.after] };
    // Cuts a corner off (a triangle), so the polygon's mask reaches the samples' fill too.
    const aoi = triangle([500030, 5399970], [502000, 5399970], [502000, 5398500]);
    const run = async (openPair: RunServiceDeps['openPair']) => {
      const { svc } = service({ chipSize: 200, delayMs: 2 }, { openPair });
      const id = await svc.startRun({
        inputs: fileInputs,
        model: 'fake.card.json',
        chunkSize: 256,
        overlap: 8,
        batchSize: 1,
        aoi,
      });
      const done = await svc.whenSettled(id);
      expect(done.status, done.error ?? '').toBe('done');
      return readProbability(done.probabilityPath!);
    };
    let sampleReads = 0;
    const pairs = new Set<ArrayBufferLike>();
    const fromSamples = await run(async (inputs, options) => {
      const source = await openRunInputs(inputs, options);
      const samples = source.samples!;
      expect(samples).toBeDefined();
      return {
        ...source,
        read: () => Promise.reject(new Error('8-bit dates on one grid are read as samples')),
        samples: {
          ...samples,
          read: async (window, readOptions) => {
            sampleReads++;
            if (readOptions.reuse) pairs.add(readOptions.reuse.before.buffer);
            const chunk = await samples.read(window, readOptions);
            expect(chunk.before).toBeInstanceOf(Uint8Array);
            return chunk;
          },
        },
      };
    });
    expect(sampleReads).toBeGreaterThan(2);
    expect(pairs.size).toBe(2);
    const fromFloats = await run(async (inputs, options) => ({
      ...(await openRunInputs(inputs, options)),
      samples: undefined,
    }));
    expect(fromSamples).toEqual(fromFloats);
    const nodata = fromSamples.filter((v) => v === PROBABILITY_NODATA).length;
    expect(nodata).toBeGreaterThan(fromSamples.length / 10); // outside the triangle
    expect(fromSamples.length - nodata).toBeGreaterThan(fromSamples.length / 3);
  });

  it('gives the same bytes from 16-bit samples (a percentile stretch each date) as from float planes', async () => {
    const dir = tempDir();
    const grid = utmGrid(300, 220);
    const files = { before: path.join(dir, 'before16.tif'), after: path.join(dir, 'after16.tif') };
    await writeFixture(files.before, grid, 3, sceneData(grid, 3, 'uint16'), { nodata: 0 });
    await writeFixture(files.after, grid, 3, sceneData(grid, 3, 'uint16', 9, 4));
    const fileInputs: RunInputs = { kind: 'files', before: [files.before], after: [files.after] };
    const run = async (asSamples: boolean) => {
      const { svc } = service(
        {},
        {
          openPair: async (inputs, options) => {
            const source = await openRunInputs(inputs, options);
            expect(source.samples?.planes(1).after).toBeInstanceOf(Uint16Array);
            return asSamples ? source : { ...source, samples: undefined };
          },
        },
      );
      const id = await svc.startRun({
        inputs: fileInputs,
        model: 'fake.card.json',
        chunkSize: 128,
        overlap: 8,
      });
      const done = await svc.whenSettled(id);
      expect(done.status, done.error ?? '').toBe('done');
      return readProbability(done.probabilityPath!);
    };
    const fromSamples = await run(true);
    expect(fromSamples).toEqual(await run(false));
    expect(new Set(fromSamples).size).toBeGreaterThan(10);
  });

  it('gives the same probabilities whether the source normalises as it reads or leaves it to the engine', async () => {
    const files = await writeSyntheticPairFiles(tempDir(), { width: 400, height: 300, seed: 6 });
    const fileInputs: RunInputs = { kind: 'files', before: [files.before], after: [files.after] };
    // A polygon area: the pixels it masks must hold the fill in both cases (the fake model looks 2 px around).
    const aoi = triangle([500030, 5399970], [500930, 5399970], [500030, 5399270]);
    let normalisedReads = 0;
    const run = async (normaliseInRead: boolean) => {
      const { svc } = service(
        {},
        {
          openPair: async (inputs, options) => {
            const source = await openRunInputs(inputs, options);
            return {
              ...source,
              samples: undefined,
              read: async (window, readOptions) => {
                const chunk = await source.read(
                  window,
                  normaliseInRead ? readOptions : { ...readOptions, normalise: undefined },
                );
                if (chunk.normalisedBy) normalisedReads++;
                return chunk;
              },
            };
          },
        },
      );
      const id = await svc.startRun({
        inputs: fileInputs,
        model: 'fake.card.json',
        chunkSize: 128,
        overlap: 8,
        aoi,
      });
      const done = await svc.whenSettled(id);
      expect(done.status, done.error ?? '').toBe('done');
      return readProbability(done.probabilityPath!);
    };
    const inEngine = await run(false);
    expect(normalisedReads).toBe(0);
    const inRead = await run(true);
    expect(normalisedReads).toBeGreaterThan(0);
    // One affine map instead of two rounds differently in the last float bit: a byte may rarely differ by one.
    let differing = 0;
    for (let i = 0; i < inRead.length; i++) {
      expect(Math.abs(inRead[i] - inEngine[i]), `pixel ${i}`).toBeLessThanOrEqual(1);
      if (inRead[i] !== inEngine[i]) differing++;
    }
    expect(differing).toBeLessThan(inRead.length / 1000);
    expect(inRead.filter((v) => v !== PROBABILITY_NODATA).length).toBeGreaterThan(1000);
  });

  it('keeps a batch queued at the model across chunk borders: it waits for chips only at the very end', async () => {
    // Each answer is held until the next batch arrives, or 1.5 s (far longer than cutting a batch takes, even on a
    // loaded machine): a batch answered with nothing queued behind it is a moment the model would sit idle.
    const predictor = fakePredictor({ holdUntilNextMs: 1500 });
    const { run } = await runToEnd(256, {}, { startPredictor: async () => predictor });
    expect(run.chunks.length).toBe(9);
    expect(predictor.batches).toBeGreaterThan(9);
    expect(predictor.answeredIdle).toBe(1);
  });

  it('gives the same probability whatever the chunk size, with nodata kept and no seams', async () => {
    const a = await runToEnd(256);
    const b = await runToEnd(512);
    expect(a.run.chunks.length).toBe(9);
    expect(b.run.chunks.length).toBe(4);
    let maxDiff = 0;
    for (let i = 0; i < a.probability.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(a.probability[i] - b.probability[i]));
    expect(maxDiff).toBeLessThanOrEqual(1);

    // nodata where the source is invalid, data elsewhere
    const source = syntheticPair(inputs as Extract<RunInputs, { kind: 'synthetic' }>);
    const { valid } = await source.read({ x: 0, y: 0, width: 700, height: 530 });
    let mismatched = 0;
    let invalid = 0;
    for (let i = 0; i < valid.length; i++) {
      if (valid[i] === 0) invalid++;
      if ((valid[i] === 0) !== (a.probability[i] === PROBABILITY_NODATA)) mismatched++;
    }
    expect(invalid).toBeGreaterThan(1000);
    expect(mismatched).toBe(0);

    // Seams: the step between neighbouring columns at chunk borders is no larger than elsewhere.
    const step = (x: number) => {
      let s = 0;
      let n = 0;
      for (let y = 0; y < 530; y++) {
        const p = a.probability[y * 700 + x - 1];
        const q = a.probability[y * 700 + x];
        if (p !== PROBABILITY_NODATA && q !== PROBABILITY_NODATA) {
          s += Math.abs(p - q);
          n++;
        }
      }
      return s / n;
    };
    const border = (step(256) + step(512)) / 2;
    let interior = 0;
    const cols = [100, 130, 300, 333, 400, 450, 600, 650];
    for (const x of cols) interior += step(x) / cols.length;
    expect(border).toBeLessThan(interior * 2 + 0.5);

    // every chunk computed exactly once, progress reached the end
    expect(a.run.chunks.every((c) => c.state === 'done' && c.computedCount === 1)).toBe(true);
    const last = a.events.filter((e) => e.type === 'run:progress').at(-1);
    expect(last).toMatchObject({ chunksDone: 9, chunksTotal: 9, fraction: 1 });
    const done = a.events.at(-1);
    expect(done?.type).toBe('run:done');
  });

  it('cancels within 2 seconds and resumes without recomputing finished chunks', async () => {
    const { svc, events, dataDir } = service({ delayMs: 60 });
    const id = await svc.startRun({
      inputs,
      model: 'fake.card.json',
      chunkSize: 256,
      overlap: 8,
      batchSize: 32,
    });
    await new Promise<void>((resolve) => {
      const off = svc.subscribe((e) => {
        if (e.type === 'run:chunk' && e.state === 'done') {
          off();
          resolve();
        }
      });
    });
    const t = performance.now();
    await svc.cancelRun(id);
    expect(performance.now() - t).toBeLessThan(2000);
    const cancelled = svc.getRun(id)!;
    expect(cancelled.status).toBe('cancelled');
    expect(events.at(-1)?.type).toBe('run:cancelled');
    const doneBefore = cancelled.chunks.filter((c) => c.state === 'done').map((c) => c.idx);
    expect(doneBefore.length).toBeGreaterThan(0);
    expect(cancelled.chunks.some((c) => c.state === 'running')).toBe(false);
    // The probability raster the run was building as it went is given up, not left half written.
    expect(readdirSync(path.join(dataDir, 'runs', String(id)))).toEqual(['chunks']);

    await svc.resumeRun(id);
    const run = await svc.whenSettled(id);
    expect(run.status).toBe('done');
    expect(run.chunks.every((c) => c.computedCount === 1)).toBe(true);
    const reference = await runToEnd(256);
    expect(await readProbability(run.probabilityPath!)).toEqual(reference.probability);
    // The same file, byte for byte: chunks go into it in index order whichever session computed them.
    expect(readFileSync(run.probabilityPath!).equals(readFileSync(reference.run.probabilityPath!))).toBe(
      true,
    );
  });

  it('computes again, with a warning, finished chunks whose stored result is damaged or missing', async () => {
    const { svc, dataDir } = service({ delayMs: 30 });
    const id = await svc.startRun({
      inputs,
      model: 'fake.card.json',
      chunkSize: 256,
      overlap: 8,
      batchSize: 32,
    });
    await new Promise<void>((resolve) => {
      let done = 0;
      const off = svc.subscribe((e) => {
        if (e.type === 'run:chunk' && e.state === 'done' && ++done === 2) {
          off();
          resolve();
        }
      });
    });
    await svc.cancelRun(id);
    const [damaged, missing] = svc
      .getRun(id)!
      .chunks.filter((c) => c.state === 'done')
      .map((c) => c.idx);
    const chunkFile = (idx: number) => path.join(dataDir, 'runs', String(id), 'chunks', `${idx}.chunk`);
    const bytes = readFileSync(chunkFile(damaged));
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(chunkFile(damaged), bytes);
    rmSync(chunkFile(missing));

    await svc.resumeRun(id);
    const run = await svc.whenSettled(id);
    expect(run.status, run.error ?? '').toBe('done');
    expect(run.chunks.find((c) => c.idx === damaged)!.computedCount).toBe(2);
    expect(run.chunks.find((c) => c.idx === missing)!.computedCount).toBe(2);
    expect(run.warnings).toContainEqual(expect.stringMatching(/2 finished chunk\(s\) .* damaged or missing/));
    const reference = await runToEnd(256);
    expect(await readProbability(run.probabilityPath!)).toEqual(reference.probability);
  });

  it('writes NaN and infinite pixels as nodata, counted in the warnings, and still finds the change around them', async () => {
    // 5% of the pixels of one date hold NaN or ±Infinity in one band, marked valid by the source.
    const broken = (i: number) => (i * 2654435761) % 100 < 5;
    const bad = [Number.NaN, Infinity, -Infinity];
    const { svc, events } = service(
      {},
      {
        openPair: async (i) => {
          const source = syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>);
          return {
            ...source,
            async read(window, options) {
              const chunk = await source.read(window, options);
              const n = window.width * window.height;
              for (let r = 0; r < window.height; r++)
                for (let c = 0; c < window.width; c++) {
                  const g = (window.y + r) * 700 + window.x + c;
                  if (broken(g)) chunk.after[(g % 3) * n + r * window.width + c] = bad[g % 3];
                }
              return chunk;
            },
          };
        },
      },
    );
    const id = await svc.startRun({
      inputs,
      model: 'fake.card.json',
      chunkSize: 256,
      overlap: 8,
      batchSize: 7,
    });
    const run = await svc.whenSettled(id);
    expect(run.status, run.error ?? '').toBe('done');
    const p = await readProbability(run.probabilityPath!);
    const reference = await runToEnd(256);
    let brokenPixels = 0;
    let changed = 0;
    let changedReference = 0;
    let nodata = 0;
    for (let g = 0; g < p.length; g++) {
      if (p[g] === PROBABILITY_NODATA) nodata++;
      if (broken(g) && reference.probability[g] !== PROBABILITY_NODATA) {
        brokenPixels++;
        expect(p[g]).toBe(PROBABILITY_NODATA);
      } else if (reference.probability[g] !== PROBABILITY_NODATA) {
        if (reference.probability[g] >= 127) changedReference++;
        if (p[g] !== PROBABILITY_NODATA && p[g] >= 127) changed++;
      }
    }
    expect(brokenPixels).toBeGreaterThan(0.04 * p.length);
    expect(changedReference).toBeGreaterThan(1000);
    // The change elsewhere is still found (NaN used to spread over whole chips and read as "no change").
    expect(changed).toBeGreaterThan(0.8 * changedReference);
    expect(run.warnings).toContainEqual(expect.stringContaining(`${nodata.toLocaleString('en')} pixels`));
    expect(run.warnings.join(' ')).toMatch(/NaN or infinite values/);
    // Found while the run ran, so it travels with run:done (the command line prints it from there).
    expect(events.find((e) => e.type === 'run:done')).toMatchObject({ warnings: run.warnings });
  });

  it('fails a run on a full disk with a clear message, and the project file still opens', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'p.gpkg');
    const store = ProjectStore.create(file);
    let writes = 0;
    const events: RunEvent[] = [];
    const svc = new RunService({
      db: store.db,
      dataDir: store.dataDir,
      modelDirs: [],
      openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
      startPredictor: async () => fakePredictor(),
      chunkFileOps: {
        async write(handle, bytes) {
          if (++writes > 2)
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          await handle.write(bytes);
        },
      },
    });
    svc.subscribe((e) => events.push(e));
    const id = await svc.startRun({ inputs, model: 'fake.card.json', chunkSize: 256, overlap: 8 });
    const run = await svc.whenSettled(id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/disk .* is full/);
    const failed = events.find((e) => e.type === 'run:failed');
    expect(failed).toMatchObject({ code: 'RUN_DISK_FULL' });
    expect(run.chunks.filter((c) => c.state === 'failed')).toHaveLength(1);
    store.close();
    const reopened = ProjectStore.open(file);
    const row = reopened.db.prepare('SELECT status FROM cm_runs WHERE id = ?').get(id) as { status: string };
    expect(row.status).toBe('failed');
    reopened.close();
  });

  it('clips to a polygon area of interest: outside is nodata', async () => {
    const { svc } = service();
    // Synthetic grid: origin (500000, 5400000), 3 m pixels. A triangle inside columns 10..210, rows 10..210.
    const aoi = {
      kind: 'polygon' as const,
      rings: [
        [
          [500030, 5399970],
          [500630, 5399970],
          [500030, 5399370],
          [500030, 5399970],
        ] as [number, number][],
      ],
    };
    const id = await svc.startRun({ inputs, model: 'fake.card.json', chunkSize: 256, aoi });
    const run = await svc.whenSettled(id);
    expect(run.params.grid.width).toBe(200);
    const p = await readProbability(run.probabilityPath!);
    expect(p[199 * 200 + 199]).toBe(PROBABILITY_NODATA);
    expect(p[5 * 200 + 5]).not.toBe(PROBABILITY_NODATA);
  });
});
