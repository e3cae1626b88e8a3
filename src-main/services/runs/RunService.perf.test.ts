// Runs that use the machine (issue 15): chips sized to the grid where the model accepts larger ones, and inference
// threads measured once per machine and model, kept in user data, with the run's own thread count as override.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromFile } from 'geotiff';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { deviceBatchSize } from '../inference/deviceMemory';
import { CalibrationCache } from '../inference/threadCalibration';
import { RunService, runChipSize, type RunServiceDeps } from './RunService';
import type { RunEvent, RunStats } from './runEvents';
import { syntheticPair } from './syntheticPair';
import type { RunInputs } from './runTypes';
import { fakePredictor, type FakePredictorOptions } from './testing/fakePredictor';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cm-runs-perf-'));
  dirs.push(d);
  return d;
}

const inputs: RunInputs = { kind: 'synthetic', width: 700, height: 530, bands: 3, seed: 7 };

function service(
  fake: FakePredictorOptions = {},
  extra: Partial<RunServiceDeps> = {},
  started: { threads?: number }[] = [],
) {
  const events: RunEvent[] = [];
  const svc = new RunService({
    db: openMemoryProjectDb(),
    dataDir: tempDir(),
    modelDirs: [],
    openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
    startPredictor: async (_card, _provider, threads) => {
      started.push({ threads });
      return fakePredictor({ ...fake, threads });
    },
    ...extra,
  });
  svc.subscribe((e) => events.push(e));
  return { svc, events };
}

async function probabilityOf(file: string): Promise<Uint8Array> {
  const image = await (await fromFile(file)).getImage();
  return ((await image.readRasters()) as unknown as Uint8Array[])[0];
}

async function run(fake: FakePredictorOptions, request: { chunkSize: number; chipSize?: number }) {
  const { svc, events } = service(fake);
  const id = await svc.startRun({ inputs, model: 'fake.card.json', overlap: 8, batchSize: 3, ...request });
  const record = await svc.whenSettled(id);
  expect(record.status).toBe('done');
  const done = events.find((e) => e.type === 'run:done') as { stats: RunStats };
  return { record, stats: done.stats, probability: await probabilityOf(record.probabilityPath!) };
}

describe('chip size', () => {
  it('picks larger chips where the model accepts them: less repeated work, same result whatever the chunk', async () => {
    const fixed = await run({ chipSize: 32 }, { chunkSize: 256 });
    const large = await run({ chipSize: 32, chipSizes: { max: 256, multipleOf: 16 } }, { chunkSize: 256 });
    const largeOtherChunks = await run(
      { chipSize: 32, chipSizes: { max: 256, multipleOf: 16 } },
      { chunkSize: 512 },
    );
    expect(fixed.record.params.chipSize).toBe(32);
    expect(large.record.params.chipSize).toBeGreaterThan(32);
    const coverage = (s: RunStats) => s.chipPixels / s.pixels;
    expect(coverage(large.stats)).toBeLessThan(1.25);
    expect(coverage(fixed.stats)).toBeGreaterThan(1.6);
    // Chunk independence holds for any chip size: the lattice is global (up to float rounding, 1/254 steps).
    let worst = 0;
    for (let i = 0; i < large.probability.length; i++)
      worst = Math.max(worst, Math.abs(large.probability[i] - largeOtherChunks.probability[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('refuses a chip size the model does not take, saying which it takes', async () => {
    const { svc } = service({ chipSize: 32, chipSizes: { max: 128, multipleOf: 16 } });
    await expect(svc.startRun({ inputs, model: 'fake.card.json', chipSize: 136 })).rejects.toMatchObject({
      code: 'RUN_BAD_CHIP_SIZE',
      message: expect.stringMatching(/32 to 128 .* steps of 16/),
    });
    const fixed = service({ chipSize: 32 }).svc;
    await expect(fixed.startRun({ inputs, model: 'fake.card.json', chipSize: 64 })).rejects.toMatchObject({
      code: 'RUN_BAD_CHIP_SIZE',
    });
  });

  it('keeps a chip within the card limit and what the memory budget holds', () => {
    const info = { name: 'm', chipSize: 256, chipSizes: { max: 1024, multipleOf: 16 }, bands: 3 };
    const grid = { width: 20000, height: 20000 };
    const roomy = runChipSize(info, grid, 32, 8 * 2 ** 30);
    const tight = runChipSize(info, grid, 32, 2 ** 30);
    expect(roomy).toBeLessThanOrEqual(1024);
    expect(tight).toBeLessThanOrEqual(800);
    expect(tight % 16).toBe(0);
    expect(runChipSize({ ...info, chipSizes: undefined }, grid, 32, 2 ** 30)).toBe(256);
  });
});

describe('inference threads by measurement', () => {
  // A fake fastest on one thread (as a loaded machine can be): the calibration must find 1, not "every core".
  // Small batches keep the fake's own computing (slowed on a loaded machine) from hiding the delays' difference.
  const fastestOnOne = (threads?: number) => ({ delayMs: threads === 1 ? 2 : 16 });
  const request = { inputs, model: 'fake.card.json', chunkSize: 512, batchSize: 2 };

  it('measures once per machine and model, keeps it in user data, and uses it', async () => {
    const file = path.join(tempDir(), 'user', 'inference-calibration.json');
    const started: (number | undefined)[] = [];
    const svc = new RunService({
      db: openMemoryProjectDb(),
      dataDir: tempDir(),
      modelDirs: [],
      openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
      startPredictor: async (_card, _provider, threads) => {
        started.push(threads);
        return fakePredictor({ ...fastestOnOne(threads), threads: threads ?? os.availableParallelism() });
      },
      calibration: new CalibrationCache(file),
      calibrateFromPixels: 0,
    });
    const first = await svc.startRun(request);
    expect((await svc.whenSettled(first)).status).toBe('done');
    const kept = Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, { threads: number }>);
    expect(kept.map((k) => k.threads)).toEqual([1]);
    expect(svc.getRun(first)!.params.threads).toBe(1);
    expect(started.at(-1)).toBe(1);
    const measured = started.length;
    // The second run reads the kept figure: its predictor (restarted in the kept layout), no measuring.
    const second = await svc.startRun(request);
    expect((await svc.whenSettled(second)).status).toBe('done');
    expect(started.length - measured).toBeLessThanOrEqual(1 + (svc.getRun(first)!.params.sessions ?? 1));
    expect(started.at(-1) ?? os.availableParallelism()).toBe(1);
    expect(svc.getRun(second)!.params.threads).toBe(1);
  });

  it('leaves the thread count asked for alone, and small scenes unmeasured', async () => {
    const file = path.join(tempDir(), 'inference-calibration.json');
    const started: (number | undefined)[] = [];
    const svc = new RunService({
      db: openMemoryProjectDb(),
      dataDir: tempDir(),
      modelDirs: [],
      openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
      startPredictor: async (_card, _provider, threads) => {
        started.push(threads);
        return fakePredictor({ threads: threads ?? os.availableParallelism() });
      },
      calibration: new CalibrationCache(file),
    });
    const asked = await svc.startRun({ inputs, model: 'fake.card.json', threads: 3 });
    await svc.whenSettled(asked);
    const small = await svc.startRun({ inputs, model: 'fake.card.json' });
    await svc.whenSettled(small);
    expect(started).toEqual([3, undefined]);
    expect(svc.getRun(asked)!.params.threads).toBe(3);
    expect(svc.getRun(small)!.params.threads).toBeNull();
    expect(existsSync(file)).toBe(false);
  });
});

describe('model sessions side by side', () => {
  // Two one-thread sessions compute side by side; one session of every core is slower than both together (as on
  // the 2-core machine), so the calibration should split the cores wherever it has two.
  // Delays well above the fake's own computing on this thread (a few small chips a batch), which a loaded machine
  // slows: large batches would let that computing, timed in whole batches, hide the difference.
  const delayFor = (threads?: number) => ({ delayMs: threads === 1 ? 12 : 16 });

  function sessionService(calibration?: CalibrationCache) {
    const started: { threads?: number; shared: boolean }[] = [];
    const svc = new RunService({
      db: openMemoryProjectDb(),
      dataDir: tempDir(),
      modelDirs: [],
      openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
      startPredictor: async (_card, _provider, threads, _variant, inputs) => {
        started.push({ threads, shared: inputs !== undefined });
        return fakePredictor({ ...delayFor(threads), threads: threads ?? os.availableParallelism() });
      },
      calibration,
      calibrateFromPixels: 0,
    });
    return { svc, started };
  }

  async function probabilityOfRun(svc: RunService, id: number) {
    const record = await svc.whenSettled(id);
    expect(record.status).toBe('done');
    return { record, probability: await probabilityOf(record.probabilityPath!) };
  }

  it('runs the sessions asked for, with the same result as one session, and resumes with them', async () => {
    const { svc, started } = sessionService();
    const request = { inputs, model: 'fake.card.json', chunkSize: 256, overlap: 8, batchSize: 2 };
    const one = await probabilityOfRun(svc, await svc.startRun({ ...request, threads: 1 }));
    const before = started.length;
    const two = await probabilityOfRun(svc, await svc.startRun({ ...request, sessions: 2, threads: 1 }));
    expect(two.record.params.sessions).toBe(2);
    expect(two.record.params.threads).toBe(1);
    // The first predictor is ended for two sessions sharing their input pairs.
    expect(started.slice(before).filter((s) => s.shared)).toHaveLength(2);
    expect(one.record.params.sessions).toBeUndefined();
    expect(Buffer.from(two.probability).equals(Buffer.from(one.probability))).toBe(true);
    // Asked for sessions alone, the cores are split between them.
    const split = await probabilityOfRun(svc, await svc.startRun({ ...request, sessions: 2 }));
    expect(split.record.params.threads).toBe(Math.max(1, Math.floor(os.availableParallelism() / 2)));
    // Cancelled after its first chunk and resumed: the same sessions again, the same result.
    const cancelled = await svc.startRun({ ...request, sessions: 2, threads: 1 });
    await new Promise<void>((resolve) => {
      const off = svc.subscribe((e) => {
        if (e.type === 'run:chunk' && e.state === 'done') {
          off();
          resolve();
        }
      });
    });
    await svc.cancelRun(cancelled);
    expect(svc.getRun(cancelled)!.status).toBe('cancelled');
    const beforeResume = started.length;
    await svc.resumeRun(cancelled);
    const resumed = await probabilityOfRun(svc, cancelled);
    expect(started.slice(beforeResume)).toEqual([
      { threads: 1, shared: true },
      { threads: 1, shared: true },
    ]);
    expect(Buffer.from(resumed.probability).equals(Buffer.from(one.probability))).toBe(true);
  });

  it('splits the cores between sessions where the calibration finds that faster', async () => {
    const file = path.join(tempDir(), 'inference-calibration.json');
    const { svc, started } = sessionService(new CalibrationCache(file));
    const cores = os.availableParallelism();
    const id = await svc.startRun({ inputs, model: 'fake.card.json', chunkSize: 512, batchSize: 2 });
    const { record } = await probabilityOfRun(svc, id);
    const kept = Object.values(
      JSON.parse(readFileSync(file, 'utf8')) as Record<string, { sessions?: number }>,
    );
    if (cores < 2) {
      expect(record.params.sessions).toBeUndefined();
      return;
    }
    expect(record.params.sessions).toBeGreaterThanOrEqual(2);
    expect(kept[0].sessions).toBe(record.params.sessions);
    // The run's own predictors: one per session, sharing their input pairs.
    const own = started.slice(-record.params.sessions!);
    expect(own.every((s) => s.shared && s.threads === record.params.threads)).toBe(true);
    // A budget that holds one session's batch: one session, though more measured faster.
    const tight = await svc.startRun({
      inputs,
      model: 'fake.card.json',
      chunkSize: 512,
      batchSize: 3,
      memoryBudget: 2 * 2 ** 20,
    });
    const narrow = (await probabilityOfRun(svc, tight)).record;
    expect(narrow.status).toBe('done');
    expect(narrow.params.sessions).toBeUndefined();
    const measured = Object.values(
      JSON.parse(readFileSync(file, 'utf8')) as Record<string, { sessions?: number }>,
    );
    expect(measured.every((c) => (c.sessions ?? 1) >= 2)).toBe(true);
  });
});

describe('batch on a GPU', () => {
  it('sizes the batch from the device memory, not the host budget', async () => {
    const onGpu = (free: number | null) =>
      new RunService({
        db: openMemoryProjectDb(),
        dataDir: tempDir(),
        modelDirs: [],
        openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
        startPredictor: async () => fakePredictor({ providerUsed: 'cuda' }),
        freeDeviceMemory: () => free,
      });
    const batchOf = async (svc: RunService) => {
      const id = await svc.startRun({
        inputs,
        model: 'fake.card.json',
        provider: 'cuda',
        memoryBudget: 2 ** 28,
      });
      await svc.whenSettled(id);
      return svc.getRun(id)!.params.batchSize;
    };
    const hostOnly = service({ chipSize: 32 }).svc;
    const cpuId = await hostOnly.startRun({ inputs, model: 'fake.card.json', memoryBudget: 2 ** 28 });
    await hostOnly.whenSettled(cpuId);
    const cpuBatch = hostOnly.getRun(cpuId)!.params.batchSize;
    // Chips of 32 px: both cap at MAX_BATCH_SIZE unless memory is small; compare a tight device with the cap.
    expect(await batchOf(onGpu(2 ** 20))).toBe(deviceBatchSize(2 ** 20, 3, 32));
    expect(await batchOf(onGpu(2 ** 20))).toBeLessThan(cpuBatch);
    expect(await batchOf(onGpu(null))).toBe(deviceBatchSize(null, 3, 32));
  });
});
