import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { isChangeMapError } from '../../core/errors';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { openMemoryProjectDb } from '../project/memoryDb';
import { openRunInputs } from './openRunInputs';
import { openRunInputsInThread } from './pairReadThread';
import { READ_THREAD_FROM_PIXELS, RunService, type RunServiceDeps } from './RunService';
import type { RunInputs } from './runTypes';
import { fakePredictor } from './testing/fakePredictor';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-pair-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The probability bytes of a run over `inputs`, its pair opened by `deps`. */
async function probability(
  inputs: RunInputs,
  deps: Pick<RunServiceDeps, 'openPair' | 'openPairOnThread' | 'readThreadFromPixels'>,
  aoi?: { kind: 'polygon'; rings: [number, number][][] },
): Promise<Uint8Array> {
  const svc = new RunService({
    db: openMemoryProjectDb(),
    dataDir: mkdtempSync(path.join(dir, 'data-')),
    modelDirs: [],
    // These pairs are small: read on the thread all the same, unless a test says otherwise.
    readThreadFromPixels: 0,
    ...deps,
    startPredictor: async () => fakePredictor(),
  });
  const id = await svc.startRun({ inputs, model: 'fake.card.json', chunkSize: 128, overlap: 8, aoi });
  const run = await svc.whenSettled(id);
  expect(run.status, run.error ?? '').toBe('done');
  const image = await (await fromFile(run.probabilityPath!)).getImage();
  return ((await image.readRasters()) as unknown as Uint8Array[])[0];
}

/** `open`, counting the reads of the pairs it opens into `reads[key]`. */
function counting<K extends string>(
  open: typeof openRunInputs,
  reads: Record<K, number>,
  key: K,
): typeof openRunInputs {
  return async (i, options) => {
    const source = await open(i, options);
    const counted = <T extends (...a: never[]) => Promise<unknown>>(f: T) =>
      ((...a: Parameters<T>) => {
        reads[key]++;
        return f(...a);
      }) as T;
    return {
      ...source,
      read: counted(source.read),
      ...(source.samples && { samples: { ...source.samples, read: counted(source.samples.read) } }),
    };
  };
}

async function pairFiles(name: string, type: 'uint8' | 'uint16' | 'float32', shiftAfter = false) {
  const grid = utmGrid(300, 220);
  // Half a pixel off: the after date is resampled, so its reads are float planes.
  const afterGrid = shiftAfter ? utmGrid(300, 220, 500005, 5599995) : grid;
  const before = path.join(dir, `${name}-before.tif`);
  const after = path.join(dir, `${name}-after.tif`);
  const data = (g: typeof grid, x0 = 0, y0 = 0) => {
    const values = sceneData(g, 3, type === 'float32' ? 'uint8' : type, x0, y0);
    return type === 'float32' ? Float32Array.from(values, (v) => v / 255) : values;
  };
  await writeFixture(before, grid, 3, data(grid), { nodata: 0 });
  await writeFixture(after, afterGrid, 3, data(afterGrid, 9, 4));
  return { kind: 'files' as const, before: [before], after: [after] };
}

describe('reading a run on a thread of its own', () => {
  it.each([
    ['8-bit dates, read as samples, in a polygon area', 'uint8', false, true],
    ['16-bit dates, read as samples (a percentile stretch each)', 'uint16', false, false],
    ['float dates, read as float planes', 'float32', false, false],
    ['a resampled after date, read as float planes', 'uint8', true, false],
  ] as const)('gives the same bytes as reading on the main thread: %s', async (name, type, shift, area) => {
    const inputs = await pairFiles(name.split(',')[0].replace(/\W+/g, '-'), type, shift);
    const aoi = area
      ? {
          kind: 'polygon' as const,
          rings: [
            [
              [500000, 5600000],
              [503000, 5600000],
              [500000, 5597800],
              [500000, 5600000],
            ] as [number, number][],
          ],
        }
      : undefined;
    const reads = { alone: 0, here: 0, thread: 0 };
    const expected = await probability(inputs, { openPair: counting(openRunInputs, reads, 'alone') }, aoi);
    const inThread = counting(
      async (i, options) => {
        const source = await openRunInputsInThread(i, options);
        expect(!!source.samples).toBe(type !== 'float32' && !shift);
        return source;
      },
      reads,
      'thread',
    );
    const deps = { openPair: counting(openRunInputs, reads, 'here'), openPairOnThread: inThread };
    expect(await probability(inputs, deps, aoi)).toEqual(expected);
    // The engine read every chunk on the thread, the same windows as alone, and nothing here.
    expect(reads.thread).toBe(reads.alone);
    expect(reads.thread).toBeGreaterThan(1);
    expect(reads.here).toBe(0);
    expect(new Set(expected).size).toBeGreaterThan(10);
  });

  it('reads here when the thread opens a different pair or fails to open', async () => {
    const inputs = await pairFiles('fallback', 'uint8');
    const expected = await probability(inputs, { openPair: openRunInputs });
    const other = await pairFiles('fallback-other', 'uint8', true);
    for (const openPairOnThread of [
      // A pair on another grid (here: its after date resampled, so read as float planes).
      (_: RunInputs, options: { bands: readonly string[] }) => openRunInputsInThread(other, options),
      async () => {
        throw new Error('no thread');
      },
    ]) {
      const reads = { here: 0 };
      const deps = { openPair: counting(openRunInputs, reads, 'here'), openPairOnThread };
      expect(await probability(inputs, deps)).toEqual(expected);
      expect(reads.here).toBeGreaterThan(1);
    }
  });

  it('leaves a pair below READ_THREAD_FROM_PIXELS on the main thread (a thread would only delay its start)', async () => {
    const inputs = await pairFiles('small', 'uint8');
    let opened = 0;
    const reads = { here: 0 };
    const deps = {
      openPair: counting(openRunInputs, reads, 'here'),
      openPairOnThread: async (i: RunInputs, options: { bands: readonly string[] }) => {
        opened++;
        return openRunInputsInThread(i, options);
      },
    };
    expect(300 * 220).toBeLessThan(READ_THREAD_FROM_PIXELS);
    await probability(inputs, { ...deps, readThreadFromPixels: READ_THREAD_FROM_PIXELS });
    expect(opened).toBe(0);
    expect(reads.here).toBeGreaterThan(1);
  });

  it('fills shared planes it hands out, and keeps the caller normalisation as the chunk says', async () => {
    const inputs = await pairFiles('planes', 'uint8', true);
    const source = await openRunInputsInThread(inputs, { bands: ['red', 'green', 'blue'] });
    try {
      const norm = { mean: [0.4, 0.5, 0.3], std: [0.2, 0.25, 0.15] };
      const window = { x: 10, y: 20, width: 64, height: 48 };
      const reuse = source.planes!(3 * 64 * 64);
      expect(reuse.before.buffer).toBeInstanceOf(SharedArrayBuffer);
      const chunk = await source.read(window, { reuse, normalise: norm });
      expect(chunk.before.buffer).toBe(reuse.before.buffer);
      expect(chunk.normalisedBy).toBe(norm);
      const local = await openRunInputs(inputs, { bands: ['red', 'green', 'blue'] });
      const same = await local.read(window, { normalise: norm });
      await local.close();
      expect(chunk.before).toEqual(same.before);
      expect(chunk.after).toEqual(same.after);
      expect(chunk.valid).toEqual(same.valid);
    } finally {
      await source.close();
    }
  });

  it("reports the reader's errors with their codes, and a read after close as the thread's end", async () => {
    const missing = path.join(dir, 'missing.tif');
    const error = await openRunInputsInThread(
      { kind: 'files', before: [missing], after: [missing] },
      { bands: ['red', 'green', 'blue'] },
    ).catch((e: unknown) => e);
    expect(isChangeMapError(error) && error.code).toBe('FILE_NOT_FOUND');
    const bad = path.join(dir, 'bad.tif');
    writeFileSync(bad, 'not a tiff at all');
    const notTiff = await openRunInputsInThread(
      { kind: 'files', before: [bad], after: [bad] },
      { bands: ['red', 'green', 'blue'] },
    ).catch((e: unknown) => e);
    expect(isChangeMapError(notTiff) && notTiff.code).toBe('NOT_A_TIFF');

    const source = await openRunInputsInThread(await pairFiles('closed', 'uint8'), {
      bands: ['red', 'green', 'blue'],
    });
    await source.close();
    const afterClose = await source.read({ x: 0, y: 0, width: 8, height: 8 }).catch((e: unknown) => e);
    expect(isChangeMapError(afterClose) && afterClose.code).toBe('RUN_READ_FAILED');
  });

  it('fails a read of a damaged tile as the main thread does: the same code and message', async () => {
    const inputs = await pairFiles('damaged', 'uint8');
    // Garbage over the middle of the before file's tile data (its directories and tables stay whole).
    const bytes = readFileSync(inputs.before[0]);
    bytes.fill(0xa5, Math.floor(bytes.length * 0.3), Math.floor(bytes.length * 0.7));
    writeFileSync(inputs.before[0], bytes);
    const window = { x: 0, y: 0, width: 300, height: 220 };
    const bands = { bands: ['red', 'green', 'blue'] };
    const local = await openRunInputs(inputs, bands);
    const expected = await local.read(window).catch((e: unknown) => e);
    await local.close();
    expect(isChangeMapError(expected)).toBe(true);
    const source = await openRunInputsInThread(inputs, bands);
    try {
      const error = await source.read(window).catch((e: unknown) => e);
      expect(isChangeMapError(error) && [error.code, error.message]).toEqual(
        isChangeMapError(expected) && [expected.code, expected.message],
      );
    } finally {
      await source.close();
    }
  });

  it('stops a read its signal aborts', async () => {
    const source = await openRunInputsInThread(await pairFiles('abort', 'uint8'), {
      bands: ['red', 'green', 'blue'],
    });
    try {
      const controller = new AbortController();
      const read = source.read({ x: 0, y: 0, width: 300, height: 220 }, { signal: controller.signal });
      controller.abort();
      const error = await read.catch((e: unknown) => e);
      expect(isChangeMapError(error) && error.code).toBe('ABORTED');
      // The thread still answers afterwards.
      const chunk = await source.read({ x: 0, y: 0, width: 16, height: 16 });
      expect(chunk.valid.length).toBe(256);
    } finally {
      await source.close();
    }
  });
});
