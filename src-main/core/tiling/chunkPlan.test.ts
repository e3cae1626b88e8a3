import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  batchSizeForBudget,
  sessionsForBudget,
  chipOrigins,
  chipSizeForGrid,
  chipsForChunk,
  chunkSizeForBudget,
  maxChipForBudget,
  normaliseChunkSize,
  planChunks,
  SCALEOUT_WORKER_BUDGET,
  scaleOutChunkSize,
} from './chunkPlan';

describe('planChunks', () => {
  it('covers the grid exactly once, row-major', () => {
    const plan = planChunks(1000, 600, 512);
    expect(plan.columns).toBe(2);
    expect(plan.rows).toBe(2);
    expect(plan.chunks[1]).toEqual({ x: 512, y: 0, width: 488, height: 512 });
    const area = plan.chunks.reduce((a, c) => a + c.width * c.height, 0);
    expect(area).toBe(1000 * 600);
  });
  it('refuses chunk sizes that are not whole output tiles', () => {
    expect(() => planChunks(100, 100, 300)).toThrow(/multiple/);
    expect(normaliseChunkSize(300)).toBe(256);
    expect(normaliseChunkSize(1000)).toBe(1024);
    expect(() => normaliseChunkSize(-1)).toThrow();
  });
});

describe('chipOrigins', () => {
  it('steps by the stride and ends flush with the edge', () => {
    expect(chipOrigins(100, 32, 24)).toEqual([0, 24, 48, 68]);
    expect(chipOrigins(20, 32, 24)).toEqual([0]);
    expect(() => chipOrigins(100, 32, 40)).toThrow();
  });
  it('covers every pixel of any length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 4, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (len, chip, s) => {
          const stride = Math.min(chip, s);
          const o = chipOrigins(len, chip, stride);
          for (let i = 1; i < o.length; i++) expect(o[i] - o[i - 1]).toBeLessThanOrEqual(chip);
          expect(o[0]).toBe(0);
          expect(o[o.length - 1] + chip).toBeGreaterThanOrEqual(len);
        },
      ),
    );
  });
});

describe('chipsForChunk', () => {
  it('reads a halo holding every chip that touches the chunk, clipped to the grid', () => {
    const c = chipsForChunk({ x: 256, y: 0, width: 256, height: 256 }, 600, 300, 64, 48);
    expect(c.xs[0]).toBeLessThan(256);
    expect(c.xs[0] + 64).toBeGreaterThan(256);
    expect(c.read.x).toBe(c.xs[0]);
    expect(c.read.y).toBe(0);
    expect(c.read.x + c.read.width).toBe(c.xs[c.xs.length - 1] + 64);
    expect(c.read.height).toBeLessThanOrEqual(300);
  });
  it('sizes chunks from a memory budget in whole tiles', () => {
    const s = chunkSizeForBudget(1 << 30, 3, 256);
    expect(s % 256).toBe(0);
    expect(s).toBeGreaterThan(1024);
    expect(chunkSizeForBudget(1, 3, 256)).toBe(256);
  });
});

describe('scaleOutChunkSize', () => {
  /** Pixels a worker computes over the scene when every chunk computes each chip touching it, per scene pixel. */
  const workerCoverage = (side: number, chunk: number, chip: number, overlap: number): number => {
    const plan = planChunks(side, side, chunk);
    let computed = 0;
    for (const c of plan.chunks) {
      const { xs, ys } = chipsForChunk(c, side, side, chip, chip - overlap);
      computed += xs.length * ys.length * chip * chip;
    }
    return computed / (side * side);
  };

  it("gives scale-out runs chunks large enough that workers repeat little of their neighbours' chips", () => {
    const local = chunkSizeForBudget((1 << 30) * 0.5, 3, 800);
    const scaleOut = scaleOutChunkSize(3, 800);
    expect(scaleOut % 256).toBe(0);
    expect(scaleOut).toBeGreaterThan(local);
    // A 46,080 px scene with the 800-px chips the grid picks: the local default's chunks would make workers compute
    // over 2.5x the scene; the scale-out default well under 2x.
    expect(workerCoverage(46_080, local, 800, 32)).toBeGreaterThan(2.5);
    expect(workerCoverage(46_080, scaleOut, 800, 32)).toBeLessThan(1.8);
  });

  it("keeps a worker's chunk within its budget: the two dates and the sums for the chunk and its halo", () => {
    const chunk = scaleOutChunkSize(3, 800);
    const read = chunk + 2 * 800;
    expect(read * read * (2 * 3 * 4 + 4 + 4 + 1)).toBeLessThanOrEqual(SCALEOUT_WORKER_BUDGET * 0.5);
    expect(scaleOutChunkSize(3, 800, 1)).toBe(256);
  });
});

describe('chipSizeForGrid', () => {
  const options = { minChip: 256, maxChip: 800, multiple: 16, overlap: 32 };
  const coverage = (len: number, chip: number) => (chipOrigins(len, chip, chip - 32).length * chip) / len;
  it('repeats less work than the card chip on any grid, within the limits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30000 }), fc.integer({ min: 1, max: 30000 }), (w, h) => {
        const chip = chipSizeForGrid(w, h, options);
        expect(chip % 16).toBe(0);
        expect(chip).toBeGreaterThanOrEqual(256);
        expect(chip).toBeLessThanOrEqual(800);
        expect(coverage(w, chip) * coverage(h, chip)).toBeLessThanOrEqual(
          coverage(w, 256) * coverage(h, 256) + 1e-9,
        );
      }),
      { numRuns: 200 },
    );
  });
  it('fits a 5000 px scene with about 10% repeated work where 256-px chips repeat 39%', () => {
    const chip = chipSizeForGrid(5000, 5000, options);
    expect(coverage(5000, chip) ** 2).toBeLessThan(1.11);
    expect(coverage(5000, 256) ** 2).toBeGreaterThan(1.38);
  });
  it('keeps the card chip when the model takes no other', () => {
    expect(chipSizeForGrid(5000, 5000, { ...options, maxChip: 256 })).toBe(256);
  });
});

describe('maxChipForBudget', () => {
  it('is the largest multiple whose one chip fits the batch budget', () => {
    const chip = maxChipForBudget(2 ** 28, 3, 16);
    expect(batchSizeForBudget(2 ** 28, 3, chip)).toBe(1);
    expect(2 ** 28 / ((chip + 16) ** 2 * 4 * 103)).toBeLessThan(1);
    expect(chip % 16).toBe(0);
  });
});

describe('sessionsForBudget', () => {
  it('counts the sessions whose batches fit the budget together, at least one', () => {
    const half = 2 ** 29; // half of the default 1 GiB budget
    // 656-px chips one at a time: 177 MB a session; 784-px: 253 MB.
    expect(sessionsForBudget(half, 3, 656, 1)).toBe(3);
    expect(sessionsForBudget(half, 3, 784, 1)).toBe(2);
    expect(sessionsForBudget(half / 2, 3, 656, 1)).toBe(1);
    expect(sessionsForBudget(half, 3, 656, 4)).toBe(1);
  });
});
