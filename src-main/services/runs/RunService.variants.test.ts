// Reduced-precision variants in runs (issue 15): a run uses a variant file only where its card records that it
// keeps accuracy and it measures faster on this machine; the run records which file (its sha256 and name).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelVariant } from '../../core/models/modelCard';
import { openMemoryProjectDb } from '../project/memoryDb';
import { CalibrationCache } from '../inference/threadCalibration';
import { RunService } from './RunService';
import { syntheticPair } from './syntheticPair';
import type { RunInputs } from './runTypes';
import { fakePredictor } from './testing/fakePredictor';

const SHIPPED_CARD = path.resolve(import.meta.dirname, '../../../models/changemap-change-v1.card.json');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cm-runs-variants-'));
  dirs.push(d);
  return d;
}

const inputs: RunInputs = { kind: 'synthetic', width: 300, height: 200, bands: 3, seed: 3 };
const figures = { oscd: { f1: 0.4 }, levir: { f1: 0.69 } };
const int8: ModelVariant = {
  precision: 'int8',
  file: 'm.int8.onnx',
  sha256: 'b'.repeat(64),
  made: 'test',
  accuracy: { oscd: { f1: 0.395 }, levir: { f1: 0.688 } },
  fullPrecisionAccuracy: figures,
  evaluatedWith: 'test',
};
// Fastest of all, but its recorded accuracy fails the bar on OSCD: never to be started, not even to measure it.
const lossy: ModelVariant = {
  ...int8,
  precision: 'fp16',
  file: 'm.fp16.onnx',
  sha256: 'c'.repeat(64),
  accuracy: { oscd: { f1: 0.37 }, levir: { f1: 0.69 } },
};

/** A run service on a card with both variants; `delayMs` per file name sets how fast each "measures". */
function service(delayMs: Record<string, number>, delayForChip?: (file: string, chip: number) => number) {
  const dir = tempDir();
  const cardPath = path.join(dir, 'm.card.json');
  const card = JSON.parse(readFileSync(SHIPPED_CARD, 'utf8')) as Record<string, unknown>;
  writeFileSync(cardPath, JSON.stringify({ ...card, file: 'm.onnx', variants: [lossy, int8] }));
  const started: (string | undefined)[] = [];
  const svc = new RunService({
    db: openMemoryProjectDb(),
    dataDir: tempDir(),
    modelDirs: [],
    openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
    startPredictor: async (_card, _provider, threads, variantFile) => {
      started.push(variantFile);
      const variant = [int8, lossy].find((v) => v.file === variantFile);
      return fakePredictor({
        delayMs: delayMs[variantFile ?? 'm.onnx'],
        ...(delayForChip ? { delayForChip: (chip) => delayForChip(variantFile ?? 'm.onnx', chip) } : {}),
        threads: threads ?? os.availableParallelism(),
        sha256: variant?.sha256,
        chipSizes: { max: 128, multipleOf: 16 },
      });
    },
    calibration: new CalibrationCache(path.join(dir, 'calibration.json')),
    calibrateFromPixels: 0,
  });
  return { svc, cardPath, started };
}

/** Chips and batches small enough that the fake's own computing stays far below the delays being compared. */
const smallBatches = { chunkSize: 256, chipSize: 64, batchSize: 1 };

describe('reduced-precision variants in runs', () => {
  it('runs the int8 file where it measures faster, records it, and never starts a variant that fails the bar', async () => {
    // Far apart: sessions side by side overlap the fake's delays, not its computing on this thread. Small chips
    // one at a time keep that computing (slow on a loaded machine) far below the delays, and give each one-second
    // timing many batches rather than two or three, whose rounding alone could hide the difference.
    const { svc, cardPath, started } = service({ 'm.onnx': 60, 'm.int8.onnx': 1, 'm.fp16.onnx': 0 });
    const id = await svc.startRun({ inputs, model: cardPath, ...smallBatches });
    const record = await svc.whenSettled(id);
    expect(record.status).toBe('done');
    expect(record.params.variantFile).toBe('m.int8.onnx');
    expect(record.modelSha256).toBe(int8.sha256);
    expect(started.at(-1)).toBe('m.int8.onnx');
    expect(started).not.toContain('m.fp16.onnx');
    // Resuming runs the same file (the sha256 check would refuse another).
    expect(svc.getRun(id)!.params.variantFile).toBe('m.int8.onnx');
  });

  it("chooses the file by its speed at the run's own chip edge, timed again for another chip", async () => {
    // The int8 file is the faster one on 64-px chips and the slower one on 96-px chips.
    const { svc, cardPath, started } = service({}, (file, chip) =>
      file === 'm.int8.onnx' ? (chip === 64 ? 1 : 30) : chip === 64 ? 20 : 2,
    );
    let sessions = 1;
    const run = async (chipSize: number) => {
      const id = await svc.startRun({ inputs, model: cardPath, chunkSize: 256, chipSize, batchSize: 2 });
      const record = await svc.whenSettled(id);
      expect(record.status).toBe('done');
      sessions = record.params.sessions ?? 1;
      return record.params.variantFile;
    };
    expect(await run(64)).toBe('m.int8.onnx');
    const startsAfterFirst = started.length;
    expect(await run(64)).toBe('m.int8.onnx');
    // The timing was kept, nothing measured: the first predictor, then the run's (one per session).
    expect(started.length - startsAfterFirst).toBeLessThanOrEqual(1 + sessions);
    expect(await run(96)).toBeUndefined(); // full precision, measured anew for this chip
  });

  it('keeps the full-precision file where the variant is not faster here', async () => {
    const { svc, cardPath, started } = service({ 'm.onnx': 1, 'm.int8.onnx': 60, 'm.fp16.onnx': 0 });
    const id = await svc.startRun({ inputs, model: cardPath, ...smallBatches });
    const record = await svc.whenSettled(id);
    expect(record.status).toBe('done');
    expect(record.params.variantFile).toBeUndefined();
    expect(record.modelSha256).toBe('f'.repeat(64));
    expect(started).toContain('m.int8.onnx'); // it was measured
    expect(started).not.toContain('m.fp16.onnx');
  });
});
