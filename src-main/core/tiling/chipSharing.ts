// Chips shared between neighbouring chunks are computed once per pass.
//
// A chip near a chunk border touches two (or four) chunks. Computing it in each of them cost about a third more
// inference at 3072-px chunks. Chunks of one pass run in a known order, so the first chunk that touches a chip
// computes it, keeps its output, and hands it to the later chunks that touch it; the last of them frees it. A
// chunk then reads only the chips it computes: not the part of itself that earlier chunks' chips cover (their
// outputs carry its validity: invalid pixels are NaN in every chip, see chipPipeline), so the pixels between
// two chunks are read once, not by both (a 5000² run read 1.34x the scene with each chunk's own window added).
// The blended result is the same as computing every chip in every chunk: a chip's input does not depend on the
// chunk.
import type { PixelWindow } from '../raster/types';
import { chipOrigins, originsTouching } from './chunkPlan';

export interface ChunkChipWork {
  /** Every chip (grid origin) that touches the chunk: all of them are blended into it. */
  chips: [number, number][];
  /** Parallel to chips: whether this chunk computes the chip (false: an earlier chunk of the pass kept it). */
  computes: boolean[];
  /** Parallel to chips: for a chip computed here, how many later chunks of the pass use it (0: not kept). */
  laterUses: number[];
  /** The window to read: the chips it computes, clipped to the grid; null when it computes none. */
  read: PixelWindow | null;
}

export const chipKey = (x: number, y: number): string => `${x},${y}`;

/**
 * Plans which chunk computes each chip, for chunks processed in the given order. At most maxKept chip outputs
 * are held at once (memory must not grow with the scene: a row of chunks keeps its bottom chips for the next
 * row); a chip that would exceed it is computed again by each later chunk that needs it, as without sharing.
 */
export function planChipSharing(
  chunks: readonly PixelWindow[],
  gridWidth: number,
  gridHeight: number,
  chip: number,
  stride: number,
  maxKept = Infinity,
): ChunkChipWork[] {
  const originsX = chipOrigins(gridWidth, chip, stride);
  const originsY = chipOrigins(gridHeight, chip, stride);
  const touching = chunks.map((chunk) => {
    const xs = originsTouching(originsX, chip, chunk.x, chunk.width);
    const ys = originsTouching(originsY, chip, chunk.y, chunk.height);
    const chips: [number, number][] = [];
    for (const y of ys) for (const x of xs) chips.push([x, y]);
    return chips;
  });
  // How many chunks still to come touch each chip.
  const remaining = new Map<string, number>();
  for (const chips of touching) {
    for (const [x, y] of chips) remaining.set(chipKey(x, y), (remaining.get(chipKey(x, y)) ?? 0) + 1);
  }
  // Chips kept in memory now, with the later uses left.
  const kept = new Map<string, number>();
  return touching.map((chips) => {
    const computes: boolean[] = [];
    const laterUses: number[] = [];
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const [x, y] of chips) {
      const key = chipKey(x, y);
      const later = remaining.get(key)! - 1;
      remaining.set(key, later);
      const held = kept.get(key);
      if (held !== undefined) {
        computes.push(false);
        laterUses.push(0);
        if (held === 1) kept.delete(key);
        else kept.set(key, held - 1);
        continue;
      }
      computes.push(true);
      const keep = later > 0 && kept.size < maxKept;
      laterUses.push(keep ? later : 0);
      if (keep) kept.set(key, later);
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + chip);
      y1 = Math.max(y1, y + chip);
    }
    const read =
      x0 === Infinity
        ? null
        : { x: x0, y: y0, width: Math.min(x1, gridWidth) - x0, height: Math.min(y1, gridHeight) - y0 };
    return { chips, computes, laterUses, read };
  });
}
