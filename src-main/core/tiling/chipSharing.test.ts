import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chipKey, planChipSharing } from './chipSharing';
import { chipsForChunk, planChunks } from './chunkPlan';

describe('planChipSharing', () => {
  it('computes each chip exactly once per pass and hands it to every later chunk that touches it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 700 }),
        fc.integer({ min: 40, max: 700 }),
        fc.constantFrom(256, 512),
        fc.integer({ min: 24, max: 96 }),
        fc.integer({ min: 0, max: 16 }),
        fc.constantFrom(Infinity, 0, 3, 20),
        (width, height, chunkSize, chip, overlap, maxKept) => {
          const stride = chip - Math.min(overlap, chip - 1);
          const chunks = planChunks(width, height, chunkSize).chunks;
          const work = planChipSharing(chunks, width, height, chip, stride, maxKept);
          let live = 0;
          const computedBy = new Map<string, number>();
          const used = new Map<string, number>();
          work.forEach((w, i) => {
            // The same chips as computing every touching chip in every chunk.
            const all = chipsForChunk(chunks[i], width, height, chip, stride);
            expect(w.chips.length).toBe(all.xs.length * all.ys.length);
            w.chips.forEach(([x, y], k) => {
              const key = chipKey(x, y);
              if (w.computes[k]) {
                // Computed again only when it was not kept (memory cap), never while a kept copy is live.
                if ((used.get(key) ?? 0) > 0) throw new Error(`chip ${key} computed while kept`);
                computedBy.set(key, i);
                used.set(key, w.laterUses[k]);
                if (w.laterUses[k] > 0) live++;
                if (live > maxKept) throw new Error(`${live} chips kept, more than ${maxKept}`);
                // The read window holds every chip computed here whole (clipped to the grid).
                const r = w.read!;
                const inside =
                  x >= r.x &&
                  y >= r.y &&
                  Math.min(x + chip, width) <= r.x + r.width &&
                  Math.min(y + chip, height) <= r.y + r.height;
                if (!inside) throw new Error(`chip ${key} is not inside the read window of chunk ${i}`);
              } else {
                if (!(computedBy.get(key)! < i)) throw new Error(`chip ${key} reused before it was computed`);
                used.set(key, used.get(key)! - 1);
                if (used.get(key) === 0) live--;
              }
            });
            // Nothing but those chips: the chunk's own pixels that earlier chunks' chips cover are not read again.
            const computed = w.chips.filter((_, k) => w.computes[k]);
            if (computed.length === 0) expect(w.read).toBeNull();
            else {
              const xs = computed.map(([x]) => x);
              const ys = computed.map(([, y]) => y);
              expect(w.read).toEqual({
                x: Math.min(...xs),
                y: Math.min(...ys),
                width: Math.min(Math.max(...xs) + chip, width) - Math.min(...xs),
                height: Math.min(Math.max(...ys) + chip, height) - Math.min(...ys),
              });
            }
          });
          // Every kept output is used exactly as many times as announced: nothing leaks, nothing is missing.
          for (const left of used.values()) expect(left).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('computes shared chips once when nothing is capped, and in every chunk when nothing may be kept', () => {
    const chunks = planChunks(2000, 1500, 512).chunks;
    const count = (maxKept: number) =>
      planChipSharing(chunks, 2000, 1500, 64, 56, maxKept).reduce(
        (a, w) => a + w.computes.filter(Boolean).length,
        0,
      );
    const distinct = new Set(
      chunks.flatMap((c) => {
        const { xs, ys } = chipsForChunk(c, 2000, 1500, 64, 56);
        return ys.flatMap((y) => xs.map((x) => chipKey(x, y)));
      }),
    ).size;
    const every = chunks.reduce((a, c) => {
      const { xs, ys } = chipsForChunk(c, 2000, 1500, 64, 56);
      return a + xs.length * ys.length;
    }, 0);
    expect(count(Infinity)).toBe(distinct);
    expect(count(0)).toBe(every);
    expect(count(10)).toBeGreaterThan(distinct);
    expect(count(10)).toBeLessThan(every);
  });

  it('reads the halo on the far sides only once the near neighbours have run', () => {
    const chunks = planChunks(1024, 1024, 512).chunks;
    const work = planChipSharing(chunks, 1024, 1024, 64, 56);
    const all = chipsForChunk(chunks[3], 1024, 1024, 64, 56).read;
    // The last chunk shares its top and left chips with chunks already done: it reads no halo there.
    expect(work[3].read!.x).toBeGreaterThanOrEqual(512);
    expect(work[3].read!.y).toBeGreaterThanOrEqual(512);
    expect(all.x).toBeLessThan(512);
    expect(work[3].computes.filter((c) => !c).length).toBeGreaterThan(0);
  });

  it('reads the scene about once over a whole pass, and nothing for a chunk whose chips others computed', () => {
    // A 5000² run's plan (1536-px chunks, 656-px chips overlapping by 32): reading each chunk's own window as well
    // as its chips read 1.34x the scene.
    const chunks = planChunks(5000, 5000, 1536).chunks;
    const work = planChipSharing(chunks, 5000, 5000, 656, 624);
    const area = work.reduce((a, w) => a + (w.read ? w.read.width * w.read.height : 0), 0);
    expect(area / (5000 * 5000)).toBeLessThan(1.1);
    // The last column (392 px wide) lies wholly under chips the column before it computed.
    expect(work[3].read).toBeNull();
    expect(work[3].computes.some(Boolean)).toBe(false);
  });
});
