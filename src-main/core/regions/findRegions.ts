// From a change probability raster to regions with pixel outlines, chunk by chunk.
//
// Pass 1 reads each chunk (with a halo for the clean-up), thresholds and cleans it, and feeds the chunked
// labeller: regions, their sums and bounding boxes, never the scene's mask. Regions under the minimum area
// are dropped. Pass 2 reads the chunks again and relabels each on its own (labels are deterministic, so local
// label k of chunk c is region find(base[c] + k - 1)). A region whose bounding box lies inside one chunk is
// traced right there from the chunk's labels. A region crossing chunk borders gets a 1-bit membership bitmap of
// its bounding box, filled chunk by chunk, and is traced from it afterwards.
//
// Memory bound: chunk buffers (about 10 bytes per chunk pixel with halo) + one scene row of Int32 + ~90 bytes
// per chunk-local component + the bitmaps of the border-crossing regions, bbox/8 bytes each. Bitmaps are
// budgeted (maxOutlineBitmapBytes): crossing regions are traced in groups that fit the budget, each group
// costing one more pass over the raster. One region's bitmap alone may exceed the budget (it gets its own
// group): a region spanning a whole 46,000 x 40,000 px scene needs 230 MB.
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
  /** Passes over the raster (2 unless crossing regions needed more bitmap passes). */
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

  // Pass 1: labels and sums.
  const labeller = new ChunkedLabeller(W, H, source.rowPixelArea);
  for (let c = 0; c < windows.length; c++) {
    checkAbort(options.signal);
    const { mask, prob } = await readChunk(windows[c]);
    labeller.addChunk(windows[c], mask, prob, probabilityScale(prob));
    options.onProgress?.({ pass: 1, done: c + 1, total: windows.length });
  }
  const all = labeller.regions();
  const kept = all.filter((r) => r.areaM2 >= settings.minAreaM2 && r.areaM2 > 0);
  // Largest first; ties in raster order of their first pixel, so the order never depends on chunking.
  kept.sort((a, b) => b.areaM2 - a.areaM2 || a.seedRow - b.seedRow || a.seedCol - b.seedCol);
  const indexOfRoot = new Map<number, number>();
  kept.forEach((r, i) => indexOfRoot.set(r.id, i));
  const outlines: (FlatMultiPolygon | null)[] = kept.map(() => null);

  // Border-crossing regions, grouped so their bitmaps fit the budget.
  const chunkOf = (v: number): number => Math.floor(v / chunkSize);
  const crossing = kept.map(
    (r) => chunkOf(r.minCol) !== chunkOf(r.maxCol) || chunkOf(r.minRow) !== chunkOf(r.maxRow),
  );
  const budget = options.maxOutlineBitmapBytes ?? 256 * 1024 * 1024;
  const groups: number[][] = [[]];
  let groupBytes = 0;
  kept.forEach((r, i) => {
    if (!crossing[i]) return;
    const bytes = Math.ceil(((r.maxCol - r.minCol + 1) * (r.maxRow - r.minRow + 1)) / 8);
    if (groupBytes + bytes > budget && groups[groups.length - 1].length > 0) {
      groups.push([]);
      groupBytes = 0;
    }
    groups[groups.length - 1].push(i);
    groupBytes += bytes;
  });

  let passes = 1;
  for (let g = 0; g < groups.length; g++) {
    const bitmaps = new Map<number, Uint8Array>();
    for (const i of groups[g]) {
      const r = kept[i];
      bitmaps.set(i, new Uint8Array(Math.ceil(((r.maxCol - r.minCol + 1) * (r.maxRow - r.minRow + 1)) / 8)));
    }
    if (g > 0 && bitmaps.size === 0) continue;
    passes++;
    for (let c = 0; c < windows.length; c++) {
      checkAbort(options.signal);
      const win = windows[c];
      const { mask } = await readChunk(win);
      const { labels, count } = labelLocal(mask, win.width, win.height);
      const regionOfLocal = new Int32Array(count + 1).fill(-1);
      let anyBitmap = false;
      for (let k = 1; k <= count; k++) {
        const i = indexOfRoot.get(labeller.rootOf(c, k));
        if (i === undefined) continue;
        regionOfLocal[k] = i;
        if (bitmaps.has(i)) anyBitmap = true;
        else if (g === 0 && !crossing[i]) {
          const r = kept[i];
          const bx = r.minCol - win.x;
          const by = r.minRow - win.y;
          const cw = win.width;
          outlines[i] = traceOutline(
            (x, y) => labels[(by + y) * cw + bx + x] === k,
            r.maxCol - r.minCol + 1,
            r.maxRow - r.minRow + 1,
            r.minCol,
            r.minRow,
          );
        }
      }
      if (anyBitmap) {
        for (let y = 0; y < win.height; y++)
          for (let x = 0; x < win.width; x++) {
            const k = labels[y * win.width + x];
            if (k === 0) continue;
            const i = regionOfLocal[k];
            const bits = i < 0 ? undefined : bitmaps.get(i);
            if (!bits) continue;
            const r = kept[i];
            const bit = (win.y + y - r.minRow) * (r.maxCol - r.minCol + 1) + (win.x + x - r.minCol);
            bits[bit >> 3] |= 1 << (bit & 7);
          }
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
