import { describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { classifyRegions, labelRegions } from './classifyRegions';
import { computeRegions } from './computeRegions';
import { blobs, utmGrid } from './regions.testutil';
import { brightnessClassifier, memoryPairSource } from './fakes';
import { listRegions } from './listRegions';
import { memoryProbabilityReader } from './probabilityReader';
import { patchWindow, resamplePlanes } from '../../core/regions/patches';
import { insertFinishedRun } from '../project/testing/finishedRun';

describe('classifyRegions', () => {
  it('labels before and after land cover per region, batched, and filters by transition', async () => {
    const db = openMemoryProjectDb();
    const run = insertFinishedRun(db, { model: 't' });
    const W = 160;
    const H = 100;
    const grid = utmGrid(W, H);
    // Two changes: left one dark -> bright (forest -> bare), right one bright -> dark (bare -> forest).
    const discs: [number, number, number][] = [
      [40, 50, 25],
      [120, 50, 25],
    ];
    await computeRegions(db, run, memoryProbabilityReader(grid, blobs(W, H, discs)), {
      threshold: 0.5,
      openingRadius: 0,
      closingRadius: 0,
      minAreaM2: 0,
    });
    const before = new Float32Array(3 * W * H);
    const after = new Float32Array(3 * W * H);
    for (let b = 0; b < 3; b++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const left = x < W / 2;
          before[b * W * H + y * W + x] = left ? 0.05 : 0.95;
          after[b * W * H + y * W + x] = left ? 0.95 : 0.05;
        }
    const classifier = brightnessClassifier();
    const summary = await classifyRegions(db, run, memoryPairSource(grid, 3, before, after), classifier, {
      batchSize: 1,
    });
    expect(summary.classified).toBe(2);
    expect(classifier.calls).toEqual([2, 2]);
    const regions = listRegions(db, { runId: run, sort: { key: 'fid' } }).regions;
    const byX = [...regions].sort((a, b) => a.centroid.x - b.centroid.x);
    expect(byX.map((r) => r.transition)).toEqual([
      'forest -> bare/construction',
      'bare/construction -> forest',
    ]);
    expect(byX[0].description).toMatch(/^forest [01]\.\d\d -> bare\/construction [01]\.\d\d$/);
    expect(byX[0].from?.top3.length).toBe(2);
    expect(listRegions(db, { runId: run, filters: { fromClass: 'forest' } }).total).toBe(1);
    expect(listRegions(db, { runId: run, filters: { landCoverClass: 'forest' } }).total).toBe(2);
    // Already classified regions are skipped unless asked.
    expect(
      (await classifyRegions(db, run, memoryPairSource(grid, 3, before, after), classifier)).classified,
    ).toBe(0);
  });

  it('classifies a small region of very high resolution imagery on a patch fitted to it, not shrunk to 10 m', async () => {
    const db = openMemoryProjectDb();
    const run = insertFinishedRun(db, { model: 't' });
    const W = 400;
    const grid = utmGrid(W, W, 0.5); // 0.5 m pixels: 200 m across
    await computeRegions(db, run, memoryProbabilityReader(grid, blobs(W, W, [[200, 200, 20]])), {
      threshold: 0.5,
      openingRadius: 0,
      closingRadius: 0,
      minAreaM2: 0,
    });
    const image = new Float32Array(3 * W * W).fill(0.5);
    const source = memoryPairSource(grid, 3, image, image);
    const reads: { width: number; height: number }[] = [];
    const spy = {
      ...source,
      read: (w: Parameters<typeof source.read>[0]) => (reads.push(w), source.read(w)),
    };
    await classifyRegions(db, run, spy, brightnessClassifier());
    // The 40 px (20 m) region: 32 classifier pixels at 1.25 m (it spans 16 of them) = 80 px, where the
    // classifier's 10 m footprint (32 x 10 m = 640 px) would have taken the whole 400 px image.
    expect(reads).toEqual([expect.objectContaining({ width: 80, height: 80 })]);
  });

  it('labels regions given by their pixel boxes without a project, in order (what eval scores)', async () => {
    const W = 100;
    const grid = utmGrid(W, W, 10);
    const before = new Float32Array(3 * W * W);
    const after = new Float32Array(3 * W * W);
    for (let b = 0; b < 3; b++)
      for (let i = 0; i < W * W; i++) {
        before[b * W * W + i] = i % W < 50 ? 0.05 : 0.95;
        after[b * W * W + i] = 0.95;
      }
    const pair = memoryPairSource(grid, 3, before, after);
    const classifier = brightnessClassifier();
    const box = (minCol: number) => ({ minCol, minRow: 40, maxCol: minCol + 9, maxRow: 49 });
    // 10 m imagery: each patch is 32 px around its box, dark (forest) on the left half before, bright after.
    const answers = await labelRegions(pair, classifier, [
      { box: box(0), lat: 45 },
      { box: box(90), lat: 45 },
    ]);
    expect(answers.map((a) => `${a.before.label} -> ${a.after.label}`)).toEqual([
      'forest -> bare/construction',
      'bare/construction -> bare/construction',
    ]);
    expect(answers.every((a) => a.before.top3.length > 0)).toBe(true);
    expect(await labelRegions(pair, classifier, [])).toEqual([]);
    expect(classifier.calls).toEqual([4]);
  });

  it('cuts patches at least the classifier footprint, inside the grid', () => {
    const w = patchWindow({ minCol: 0, minRow: 0, maxCol: 3, maxRow: 3 }, 32, 0.25, 100, 100);
    expect(w).toEqual({ x: 0, y: 0, width: 32, height: 32 });
    const big = patchWindow({ minCol: 10, minRow: 10, maxCol: 49, maxRow: 29 }, 8, 0.25, 100, 100);
    expect(big.width).toBe(60);
    expect(big.x).toBe(0);
  });

  it('averages when shrinking a patch', () => {
    const src = Float32Array.from([1, 3, 5, 7]);
    expect(Array.from(resamplePlanes(src, 1, 2, 2, 1))).toEqual([4]);
  });
});
