// From a change probability raster to regions with pixel outlines, chunk by chunk.
//
// Pass 1 reads each chunk (with a halo for the clean-up), thresholds and cleans it, and feeds the chunked
// labeller: regions, their sums and bounding boxes, never the scene's mask. A component that touches no
// border shared with another chunk is a whole region already: if big enough it is traced right there, from the
// chunk's labels. Regions under the minimum area are dropped at the end.
// The rest (regions crossing chunk borders) are traced afterwards:
// - a region whose bounding box is at most 4 chunks' worth of pixels: its box (plus halo) is read again,
//   cleaned, labelled on its own, and the component holding its seed pixel traced (a connected region lies
//   inside its bounding box and is connected there, so that component is exactly the region);
// - a bigger one: a 1-bit membership bitmap of its box, filled in another pass over the chunks it touches
//   (local label k of chunk c is region find(base[c] + k - 1), labels being deterministic), then traced.
//
// Memory bound: chunk buffers (about 10 bytes per chunk pixel with halo) + one scene row of Int32 + ~90 bytes
// per chunk-local component + outlines + the re-read boxes (<= 4 chunks, ~10 bytes/pixel) + the bitmaps of
// the big crossing regions, bbox/8 bytes each. Bitmaps are budgeted (maxOutlineBitmapBytes): big regions are
// traced in groups that fit, each group costing one more pass over the chunks it touches. One region's
// bitmap alone may exceed the budget (it gets its own group): a region spanning a whole 46,000 x 40,000 px
// scene needs 230 MB.
import { ChangeMapError } from '../errors';
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import type { PixelWindow } from '../raster/types';
import { ChunkedLabeller, chunkWindows, type RegionPixels } from './chunkedLabeller';
import { labelLocal } from './labelLocal';
import { cleanUpHalo, cleanUpMask, probabilityScale, thresholdMask, type CleanUp } from './mask';
import { traceOutline } from './traceOutline';

export interface RegionSettings extends CleanUp {
  /** Change where probability >= threshold (0..1). */
  threshold: number;
  /** Regions smaller than this (m^2) are dropped. */
  minAreaM2: number;
}

export interface FindRegionsOptions {
  /** Chunk edge in pixels (default 2048). */
  chunkSize?: number;
  /** Budget for border-crossing regions' membership bitmaps (default 256 MiB). */
  maxOutlineBitmapBytes?: number;
  signal?: AbortSignal;
  /** Called after each chunk: pass is 1 (labelling) or 2 (outlines; may repeat). */
  onProgress?: (p: { pass: number; done: number; total: number }) => void;
}

export interface ProbabilitySource {
  width: number;
  height: number;
  nodata: number | null;
  /** Ground area (m^2) of one pixel in each row. */
  rowPixelArea: Float64Array;
  readWindow(window: PixelWindow): Promise<Float32Array | Uint8Array>;
}

export interface FoundRegion extends RegionPixels {
  /** Outline along pixel edges, scene pixel coordinates. */
  outline: FlatMultiPolygon;
}

export interface FoundRegions {
  regions: FoundRegion[];
  /** Regions dropped for being under the minimum area. */
  droppedSmall: number;
  /** Passes over the chunks: 1, plus one per group of big border-crossing regions (over the chunks they touch). */
  passes: number;
}

export function validateRegionSettings(s: RegionSettings): void {
  const bad = (what: string): never => {
    throw new ChangeMapError('REGIONS_BAD_SETTINGS', what);
  };
  if (!(s.threshold >= 0 && s.threshold <= 1))
    bad(`The threshold must be between 0 and 1 (got ${s.threshold}).`);
  for (const [name, r] of [
    ['opening', s.openingRadius],
    ['closing', s.closingRadius],
  ] as const)
    if (!(Number.isInteger(r) && r >= 0 && r <= 64))
      bad(`The ${name} radius must be a whole number of pixels from 0 to 64 (got ${r}).`);
  if (!(s.minAreaM2 >= 0)) bad(`The minimum area must be zero or more square metres (got ${s.minAreaM2}).`);
}

function crop<T extends Float32Array | Uint8Array>(
  src: T,
  srcW: number,
  dx: number,
  dy: number,
  w: number,
  h: number,
): T {
  const out = new (src.constructor as { new (n: number): T })(w * h);
  for (let y = 0; y < h; y++) out.set(src.subarray((dy + y) * srcW + dx, (dy + y) * srcW + dx + w), y * w);
  return out;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ChangeMapError('CANCELLED', 'Finding change regions was cancelled.');
}

export async function findRegions(
  source: ProbabilitySource,
  settings: RegionSettings,
  options: FindRegionsOptions = {},
): Promise<FoundRegions> {
  validateRegionSettings(settings);
  const { width: W, height: H } = source;
  const chunkSize = options.chunkSize ?? 2048;
  const windows = chunkWindows(W, H, chunkSize);
  const halo = cleanUpHalo(settings);

  const readChunk = async (
    win: PixelWindow,
  ): Promise<{ mask: Uint8Array; prob: Float32Array | Uint8Array }> => {
    const x0 = Math.max(0, win.x - halo);
    const y0 = Math.max(0, win.y - halo);
    const x1 = Math.min(W, win.x + win.width + halo);
    const y1 = Math.min(H, win.y + win.height + halo);
    const ext = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    const values = await source.readWindow(ext);
    const mask = cleanUpMask(
      thresholdMask(values, settings.threshold, source.nodata),
      ext.width,
      ext.height,
      settings,
    );
    if (halo === 0) return { mask, prob: values };
    const dx = win.x - x0;
    const dy = win.y - y0;
    return {
      mask: crop(mask, ext.width, dx, dy, win.width, win.height),
      prob: crop(values, ext.width, dx, dy, win.width, win.height),
    };
  };

  const traceFromLabels = (
    labels: Int32Array,
    stride: number,
    win: PixelWindow,
    k: number,
    r: { minCol: number; minRow: number; maxCol: number; maxRow: number },
  ): FlatMultiPolygon => {
    const bx = r.minCol - win.x;
    const by = r.minRow - win.y;
    return traceOutline(
      (x, y) => labels[(by + y) * stride + bx + x] === k,
      r.maxCol - r.minCol + 1,
      r.maxRow - r.minRow + 1,
      r.minCol,
      r.minRow,
    );
  };

  // Pass 1: labels and sums; whole regions inside one chunk traced at once.
  const labeller = new ChunkedLabeller(W, H, source.rowPixelArea);
  const early = new Map<number, FlatMultiPolygon>();
  for (let c = 0; c < windows.length; c++) {
    checkAbort(options.signal);
    const win = windows[c];
    const { mask, prob } = await readChunk(win);
    const { labels, count, base } = labeller.addChunk(win, mask, prob, probabilityScale(prob));
    const openLeft = win.x > 0;
    const openTop = win.y > 0;
    const openRight = win.x + win.width < W;
    const openBottom = win.y + win.height < H;
    for (let k = 1; k <= count; k++) {
      const b = labeller.boundsOf(base + k - 1);
      if (b.areaM2 < settings.minAreaM2 || b.areaM2 <= 0) continue;
      if (openLeft && b.minCol === win.x) continue;
      if (openTop && b.minRow === win.y) continue;
      if (openRight && b.maxCol === win.x + win.width - 1) continue;
      if (openBottom && b.maxRow === win.y + win.height - 1) continue;
      early.set(base + k - 1, traceFromLabels(labels, win.width, win, k, b));
    }
    options.onProgress?.({ pass: 1, done: c + 1, total: windows.length });
  }
  const all = labeller.regions();
  const kept = all.filter((r) => r.areaM2 >= settings.minAreaM2 && r.areaM2 > 0);
  // Largest first; ties in raster order of their first pixel, so the order never depends on chunking.
  kept.sort((a, b) => b.areaM2 - a.areaM2 || a.seedRow - b.seedRow || a.seedCol - b.seedCol);
  const indexOfRoot = new Map<number, number>();
  kept.forEach((r, i) => indexOfRoot.set(r.id, i));
  const outlines: (FlatMultiPolygon | null)[] = kept.map((r) => early.get(r.id) ?? null);
  early.clear();

  // Crossing regions with a modest box: re-read the box and trace.
  const directLimit = 4 * chunkSize * chunkSize;
  const big: number[] = [];
  for (let i = 0; i < kept.length; i++) {
    if (outlines[i]) continue;
    const r = kept[i];
    const box = { x: r.minCol, y: r.minRow, width: r.maxCol - r.minCol + 1, height: r.maxRow - r.minRow + 1 };
    if (box.width * box.height > directLimit) {
      big.push(i);
      continue;
    }
    checkAbort(options.signal);
    const { mask } = await readChunk(box);
    const { labels } = labelLocal(mask, box.width, box.height);
    const k = labels[(r.seedRow - box.y) * box.width + (r.seedCol - box.x)];
    outlines[i] = traceFromLabels(labels, box.width, box, k, r);
  }

  // Big crossing regions: bitmaps filled chunk by chunk, in groups that fit the budget.
  const budget = options.maxOutlineBitmapBytes ?? 256 * 1024 * 1024;
  const groups: number[][] = [];
  let groupBytes = 0;
  for (const i of big) {
    const r = kept[i];
    const bytes = Math.ceil(((r.maxCol - r.minCol + 1) * (r.maxRow - r.minRow + 1)) / 8);
    if (groups.length === 0 || (groupBytes + bytes > budget && groups[groups.length - 1].length > 0)) {
      groups.push([]);
      groupBytes = 0;
    }
    groups[groups.length - 1].push(i);
    groupBytes += bytes;
  }
  let passes = 1;
  for (const group of groups) {
    passes++;
    const bitmaps = new Map<number, Uint8Array>();
    for (const i of group) {
      const r = kept[i];
      bitmaps.set(i, new Uint8Array(Math.ceil(((r.maxCol - r.minCol + 1) * (r.maxRow - r.minRow + 1)) / 8)));
    }
    const touches = (win: PixelWindow): boolean =>
      group.some((i) => {
        const r = kept[i];
        return (
          r.minCol < win.x + win.width &&
          r.maxCol >= win.x &&
          r.minRow < win.y + win.height &&
          r.maxRow >= win.y
        );
      });
    for (let c = 0; c < windows.length; c++) {
      const win = windows[c];
      if (!touches(win)) continue;
      checkAbort(options.signal);
      const { mask } = await readChunk(win);
      const { labels, count } = labelLocal(mask, win.width, win.height);
      const regionOfLocal = new Int32Array(count + 1).fill(-1);
      for (let k = 1; k <= count; k++) {
        const i = indexOfRoot.get(labeller.rootOf(c, k));
        if (i !== undefined && bitmaps.has(i)) regionOfLocal[k] = i;
      }
      for (let y = 0; y < win.height; y++)
        for (let x = 0; x < win.width; x++) {
          const k = labels[y * win.width + x];
          if (k === 0 || regionOfLocal[k] < 0) continue;
          const i = regionOfLocal[k];
          const bits = bitmaps.get(i)!;
          const r = kept[i];
          const bit = (win.y + y - r.minRow) * (r.maxCol - r.minCol + 1) + (win.x + x - r.minCol);
          bits[bit >> 3] |= 1 << (bit & 7);
        }
      options.onProgress?.({ pass: passes, done: c + 1, total: windows.length });
    }
    for (const [i, bits] of bitmaps) {
      const r = kept[i];
      const bw = r.maxCol - r.minCol + 1;
      outlines[i] = traceOutline(
        (x, y) => {
          const bit = y * bw + x;
          return (bits[bit >> 3] & (1 << (bit & 7))) !== 0;
        },
        bw,
        r.maxRow - r.minRow + 1,
        r.minCol,
        r.minRow,
      );
    }
  }
  return {
    regions: kept.map((r, i) => ({ ...r, outline: outlines[i]! })),
    droppedSmall: all.length - kept.length,
    passes,
  };
}
