// Spot-check pictures of one region, made on demand and cached (PNG via fast-png).
import type Database from 'better-sqlite3';
import { encode } from 'fast-png';
import { ChangeMapError } from '../../core/errors';
import type { AlignedPairSource, PixelWindow } from '../../core/raster/types';
import { thresholdMask } from '../../core/regions/mask';
import type { FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { mapPoints } from '../../core/geo/rings';
import { gridToPixel } from '../../core/raster/geoTransform';
import { patchWindow } from '../../core/regions/patches';
import type { ByteStretch } from '../../core/preview/colourise';
import {
  drawOutline,
  rangeOfByteStretch,
  renderChange,
  renderRgb,
  sharedStretch,
  type RgbImage,
} from '../../core/regions/spotCheck';
import { pixelBoxOf, pixelSizeM } from './classifyRegions';
import type { ProbabilityRasterReader } from './probabilityReader';
import { getRegion } from './regionRecords';
import { regionSettingsForRun } from './regionSettings';

type Db = Database.Database;

export interface SpotCheckImages {
  fid: number;
  /** PNG bytes. */
  before: Uint8Array;
  change: Uint8Array;
  after: Uint8Array;
  width: number;
  height: number;
  /** The grid window shown. */
  window: PixelWindow;
  /** Ground metres per picture pixel (for a scale bar). */
  metresPerPixel: number;
}

export interface SpotCheckOptions {
  /** Longest side of each picture in pixels (default 256). */
  size?: number;
  /** Change threshold for the mask (default: the run's region settings, else 0.5). */
  threshold?: number;
  /** Pair bands shown as red, green, blue (default 0, 1, 2; a one-band pair is shown grey). */
  rgbBands?: [number, number, number];
  /** Context around the region, a fraction of its size on each side (default 0.5). */
  margin?: number;
  cache?: SpotCheckCache;
  /**
   * Each date's stretch as the map draws it (PreviewService.imageryStretch: the red, green, blue bands' p2..p98 of
   * the whole image, uint8 as it is), so the pictures and the map show the same colours.
   */
  stretch?: { before: readonly ByteStretch[]; after: readonly ByteStretch[] };
}

/** Least-recently-used cache of spot-check pictures; region ids change when regions are recomputed. */
export class SpotCheckCache {
  private readonly entries = new Map<string, SpotCheckImages>();
  constructor(private readonly capacity = 64) {}
  get(key: string): SpotCheckImages | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: SpotCheckImages): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
  get size(): number {
    return this.entries.size;
  }
}

function png(img: RgbImage): Uint8Array {
  return encode({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });
}

export async function spotCheckImages(
  db: Db,
  fid: number,
  pair: AlignedPairSource,
  probability: ProbabilityRasterReader,
  options: SpotCheckOptions = {},
): Promise<SpotCheckImages> {
  const size = options.size ?? 256;
  const region = getRegion(db, fid);
  const threshold = options.threshold ?? regionSettingsForRun(db, region.runId).threshold;
  const key = `${fid}:${size}:${threshold}:${options.rgbBands?.join(',') ?? ''}:${options.margin ?? ''}:${JSON.stringify(options.stretch ?? null)}`;
  const cached = options.cache?.get(key);
  if (cached) return cached;
  const box = pixelBoxOf(pair.grid, region.bbox);
  const window = patchWindow(box, 64, options.margin ?? 0.5, pair.grid.width, pair.grid.height);
  const outline = mapPoints(region.outlineGrid, (x, y) => gridToPixel(pair.grid.geoTransform, x, y));
  const images = await windowImages(
    pair,
    probability,
    window,
    threshold,
    outline,
    size,
    options.rgbBands,
    options.stretch,
  );
  const result: SpotCheckImages = {
    fid,
    ...images,
    metresPerPixel: (pixelSizeM(pair.grid, region.centroid.lat) * window.width) / images.width,
  };
  options.cache?.set(key, result);
  return result;
}

/**
 * Before / change / after pictures of a window of the pair, with outlines (scene pixel coordinates) drawn in
 * yellow: what a region's spot check and a sample point's both show.
 */
export async function windowImages(
  pair: AlignedPairSource,
  probability: ProbabilityRasterReader,
  window: PixelWindow,
  threshold: number,
  outline: FlatMultiPolygon,
  size: number,
  rgbBands?: [number, number, number],
  /** Each date's stretch as the map draws it (SpotCheckOptions.stretch); without it, the window's own. */
  mapStretch?: SpotCheckOptions['stretch'],
): Promise<Omit<SpotCheckImages, 'fid' | 'metresPerPixel'>> {
  const grid = pair.grid;
  if (grid.width !== probability.grid.width || grid.height !== probability.grid.height)
    throw new ChangeMapError(
      'REGIONS_GRID_MISMATCH',
      'The imagery and the probability raster are not on one grid.',
    );
  const [chunk, probs] = await Promise.all([pair.read(window), probability.readWindow(window)]);
  const rgb = rgbBands ?? (pair.bands >= 3 ? [0, 1, 2] : [0, 0, 0]);
  if (rgb.some((b) => b < 0 || b >= pair.bands))
    throw new ChangeMapError(
      'REGIONS_BAD_BANDS',
      `The imagery has ${pair.bands} bands; pick bands from 0 to ${pair.bands - 1}.`,
    );
  const pixels = window.width * window.height;
  const usable = (s: readonly ByteStretch[] | undefined): s is readonly ByteStretch[] =>
    !!s &&
    s.length === 3 &&
    s.every((b) => Number.isFinite(b.scale) && b.scale > 0 && Number.isFinite(b.offset));
  const shared =
    usable(mapStretch?.before) && usable(mapStretch?.after)
      ? null
      : sharedStretch([chunk.before, chunk.after], rgb, pixels);
  const rangesOf = (role: 'before' | 'after') => shared ?? mapStretch![role].map(rangeOfByteStretch);
  const before = renderRgb(chunk.before, window, rgb, rangesOf('before'), size);
  const after = renderRgb(chunk.after, window, rgb, rangesOf('after'), size);
  const change = renderChange(after, window, thresholdMask(probs, threshold, probability.nodata));
  for (const img of [before, change, after]) drawOutline(img, window, outline, [255, 221, 0]);
  return {
    before: png(before),
    change: png(change),
    after: png(after),
    width: before.width,
    height: before.height,
    window,
  };
}

/**
 * Spot-check pictures around one pixel (an accuracy sample point): a window of about 48 pixels centred on it,
 * the pixel outlined and framed so the eye finds it.
 */
export async function pointSpotCheckImages(
  pair: AlignedPairSource,
  probability: ProbabilityRasterReader,
  point: { col: number; row: number; lat: number },
  threshold: number,
  size = 256,
  /** Each date's stretch as the map draws it; without it, the window's own. */
  mapStretch?: SpotCheckOptions['stretch'],
): Promise<Omit<SpotCheckImages, 'fid'>> {
  const grid = pair.grid;
  const window = patchWindow(
    { minCol: point.col, minRow: point.row, maxCol: point.col, maxRow: point.row },
    48,
    0,
    grid.width,
    grid.height,
  );
  const square = (r: number) =>
    Float64Array.from([
      point.col - r,
      point.row - r,
      point.col + 1 + r,
      point.row - r,
      point.col + 1 + r,
      point.row + 1 + r,
      point.col - r,
      point.row + 1 + r,
      point.col - r,
      point.row - r,
    ]);
  const images = await windowImages(
    pair,
    probability,
    window,
    threshold,
    [[square(0)], [square(4)]],
    size,
    undefined,
    mapStretch,
  );
  return { ...images, metresPerPixel: (pixelSizeM(grid, point.lat) * window.width) / images.width };
}
