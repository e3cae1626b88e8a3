// Before and after on one analysis grid: the "before" grid clipped to the overlap (and an optional area of
// interest); the "after" date resampled onto it (bilinear, reprojected through proj4 where the CRSs differ);
// both scaled to the unit range by the data-type rules; validity = valid in both dates.
import { ChangeMapError } from '../../core/errors';
import { fillInvalidPair, markNonFiniteInvalid, markPairNonFiniteInvalid } from '../../core/tiling/chips';
import {
  applyUnitScaling,
  BandStatisticsAccumulator,
  sampleMaps,
  normaliseInPlace,
  scalingNeedsStatistics,
  spreadSampleWindows,
  unitScalingFor,
  type BandStatistics,
  type UnitScaling,
} from '../../core/raster/scaling';
import type {
  AlignedChunk,
  AlignedPairSource,
  AlignedReadOptions,
  AlignedSampleChunk,
  SampleArray,
  SampleReader,
  SampleReadOptions,
  BandRole,
  GridSpec,
  Normalisation,
  PixelWindow,
} from '../../core/raster/types';
import {
  resample,
  sourcePixelCoordinates,
  sourceWindowFor,
  type CoordinateTransform,
} from '../../core/raster/warp';
import { intersectWindows } from '../../core/raster/window';
import { gridToPixel, windowGeoTransform } from '../../core/raster/geoTransform';
import { isIntegerType, SAMPLE_TYPES, type RasterArray } from '../../core/raster/sampleTypes';
import { SparePool } from '../../core/raster/sparePool';
import { converter, WGS84 } from './crs';
import { gridOutline } from './imagerySet';
import type { ImagerySet } from './imagerySet';
import type { RasterSource } from './rasterSource';

export interface AlignOptions {
  /** Area of interest: a GeoJSON Polygon in WGS 84 (lon, lat); the grid is clipped to its bounding box. */
  aoi?: { type: 'Polygon'; coordinates: number[][][] };
  /** Band roles to read from each date, in this order (the model card's bands). Default red, green, blue. */
  bands?: Exclude<BandRole, 'alpha' | 'other'>[];
  /** Per-date band statistics (for the percentile stretch); computed from a spread sample when absent. */
  beforeStats?: BandStatistics[];
  afterStats?: BandStatistics[];
  signal?: AbortSignal;
}

export interface AlignedPair extends AlignedPairSource {
  /** Where the analysis grid sits in the before grid (pixels). */
  readonly beforeWindow: PixelWindow;
  /** Per-band statistics of each date where its scaling needs them (scalingNeedsStatistics), else null. */
  readonly beforeStats: BandStatistics[] | null;
  readonly afterStats: BandStatistics[] | null;
  readonly scaling: { before: UnitScaling[]; after: UnitScaling[] };
}

/** Band indexes of `roles` in a set, or BAND_MISSING naming the first one it lacks. */
export function bandIndexes(set: ImagerySet, roles: BandRole[], label: string): number[] {
  return roles.map((role) => {
    const i = set.metadata.bandRoles.indexOf(role);
    if (i < 0) {
      throw new ChangeMapError(
        'BAND_MISSING',
        `The ${label} imagery has no ${role} band (its bands are ${set.metadata.bandRoles.join(', ')}); set the band roles.`,
      );
    }
    return i;
  });
}

/** The part of the before grid covered by the after grid (and the area of interest), in before pixels. */
export function overlapWindow(
  before: GridSpec,
  after: GridSpec,
  aoi?: AlignOptions['aoi'],
): PixelWindow | null {
  const full = { x: 0, y: 0, width: before.width, height: before.height };
  if (before.crs.code === null || after.crs.code === null) {
    if (
      before.crs.code !== after.crs.code ||
      before.width !== after.width ||
      before.height !== after.height
    ) {
      return null;
    }
    return full;
  }
  let window = intersectWindows(full, boundsInGrid(gridOutline(after, 20), after, before));
  if (window && aoi)
    window = intersectWindows(window, boundsInGrid(aoi.coordinates[0] as [number, number][], null, before));
  return window;
}

/** Bounding pixel window in `target` of points given in `from`'s CRS (WGS 84 when `from` is null). */
function boundsInGrid(points: [number, number][], from: GridSpec | null, target: GridSpec): PixelWindow {
  const fromCrs = from?.crs ?? WGS84();
  const conv = fromCrs.code === target.crs.code ? null : converter(fromCrs, target.crs);
  let minC = Infinity;
  let maxC = -Infinity;
  let minR = Infinity;
  let maxR = -Infinity;
  for (const p of points) {
    const [x, y] = conv ? (conv.forward([p[0], p[1]]) as [number, number]) : p;
    const [c, r] = gridToPixel(target.geoTransform, x, y);
    if (!Number.isFinite(c) || !Number.isFinite(r)) continue;
    minC = Math.min(minC, c);
    maxC = Math.max(maxC, c);
    minR = Math.min(minR, r);
    maxR = Math.max(maxR, r);
  }
  const x = Math.floor(minC + 1e-6);
  const y = Math.floor(minR + 1e-6);
  return {
    x,
    y,
    width: Math.max(0, Math.ceil(maxC - 1e-6) - x),
    height: Math.max(0, Math.ceil(maxR - 1e-6) - y),
  };
}

/** Statistics of some bands of a raster from a spread sample of windows (nodata and alpha excluded). */
export async function sampleBandStatistics(
  source: RasterSource,
  bands: number[],
  options: { area?: PixelWindow; windows?: number; size?: number; signal?: AbortSignal } = {},
): Promise<BandStatistics[]> {
  const area = options.area ?? {
    x: 0,
    y: 0,
    width: source.metadata.grid.width,
    height: source.metadata.grid.height,
  };
  const windows = spreadSampleWindows(
    area.width,
    area.height,
    options.windows ?? 25,
    options.size ?? 256,
  ).map((w) => ({
    ...w,
    x: w.x + area.x,
    y: w.y + area.y,
  }));
  const type = source.metadata.sampleType;
  const exact = type === 'uint8' || type === 'uint16';
  const reads = [];
  for (const w of windows) reads.push(await source.readWindow(w, { bands, signal: options.signal }));
  let range: [number, number] | null = null;
  if (!exact) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of reads) {
      for (let i = 0; i < r.data.length; i++) {
        const v = r.data[i];
        if (v - v === 0 && v !== source.metadata.nodata) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
    range = Number.isFinite(lo) ? [lo, hi] : [0, 1];
  }
  const acc = new BandStatisticsAccumulator(bands.length, type, range);
  for (const r of reads) {
    // NaN and infinite values are no measurements: kept out of the percentile stretch.
    markNonFiniteInvalid(r.data, bands.length, r.valid);
    acc.add(r.data, r.valid);
  }
  return acc.result();
}

export async function openAlignedPair(
  before: ImagerySet,
  after: ImagerySet,
  options: AlignOptions = {},
): Promise<AlignedPair> {
  const roles = options.bands ?? ['red', 'green', 'blue'];
  const beforeBands = bandIndexes(before, roles, 'before');
  const afterBands = bandIndexes(after, roles, 'after');
  const bg = before.metadata.grid;
  const ag = after.metadata.grid;
  if ((bg.crs.code === null) !== (ag.crs.code === null)) {
    throw new ChangeMapError(
      'GEOREFERENCE_MISMATCH',
      'One date has a georeference and the other does not, so they cannot be placed on one map.',
    );
  }
  if (bg.crs.code === null && (bg.width !== ag.width || bg.height !== ag.height)) {
    throw new ChangeMapError(
      'PIXEL_PAIR_SIZE_MISMATCH',
      `Neither date has a georeference and their sizes differ (${bg.width} x ${bg.height} and ${ag.width} x ${ag.height}).`,
    );
  }
  const beforeWindow = overlapWindow(bg, ag, options.aoi);
  if (!beforeWindow) {
    throw new ChangeMapError(
      'NO_OVERLAP',
      options.aoi
        ? 'The two dates and the area of interest do not overlap.'
        : 'The two dates do not overlap: they cover different places.',
    );
  }
  const gt = bg.geoTransform;
  const grid: GridSpec = {
    width: beforeWindow.width,
    height: beforeWindow.height,
    crs: bg.crs,
    geoTransform: windowGeoTransform(gt, beforeWindow),
  };
  // Sampled only where the scaling uses them: 25 windows a date are a tenth of a small run's start.
  const beforeStats =
    options.beforeStats ??
    (scalingNeedsStatistics(before.metadata.sampleType)
      ? await sampleBandStatistics(before, beforeBands, { area: beforeWindow, signal: options.signal })
      : null);
  const afterStats =
    options.afterStats ??
    (scalingNeedsStatistics(after.metadata.sampleType)
      ? await sampleBandStatistics(after, afterBands, { signal: options.signal })
      : null);
  const scaling = {
    before: beforeBands.map((_, k) => unitScalingFor(before.metadata.sampleType, beforeStats?.[k] ?? null)),
    after: afterBands.map((_, k) => unitScalingFor(after.metadata.sampleType, afterStats?.[k] ?? null)),
  };
  // Same CRS, same pixel size and a whole-pixel offset: the after date is read directly, no resampling.
  const agt = ag.geoTransform;
  const offX = (grid.geoTransform[0] - agt[0]) / agt[1];
  const offY = (grid.geoTransform[3] - agt[3]) / agt[5];
  const sameGrid =
    bg.crs.code === ag.crs.code &&
    agt[2] === 0 &&
    agt[4] === 0 &&
    gt[2] === 0 &&
    gt[4] === 0 &&
    Math.abs(agt[1] - gt[1]) <= 1e-9 * Math.abs(gt[1]) &&
    Math.abs(agt[5] - gt[5]) <= 1e-9 * Math.abs(gt[5]) &&
    Math.abs(offX - Math.round(offX)) < 1e-6 &&
    Math.abs(offY - Math.round(offY)) < 1e-6;
  let transform: CoordinateTransform | null = null;
  if (bg.crs.code !== null && bg.crs.code !== ag.crs.code) {
    const conv = converter(bg.crs, ag.crs);
    transform = (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const p = conv.forward([xs[i], ys[i]]);
        xs[i] = p[0];
        ys[i] = p[1];
      }
    };
  }
  const bands = roles.length;
  const integerDates = [before, after].every((set) => isIntegerType(set.metadata.sampleType));
  // Raw arrays of earlier reads, per date, once scaled into float planes: the next reads fill them (ReadOptions.into).
  // At most two a date: a run reads one chunk ahead.
  const rawArrays = (a: RasterArray) => [a];
  const spareRaw = { before: new SparePool(2, rawArrays), after: new SparePool(2, rawArrays) };
  // A raw read's array holds `capacity` values when that is more than this read needs (the caller's planes, sized
  // for its largest read), so a spare one fits the next, differently sized window instead of fresh pages each time.
  const rawInto = (source: RasterSource, pool: SparePool<RasterArray>, length: number, capacity: number) =>
    pool.takeOrMake(length, () =>
      SAMPLE_TYPES[source.metadata.sampleType].create(Math.max(length, capacity)),
    );

  async function readAfter(
    window: PixelWindow,
    signal: AbortSignal | undefined,
    into: Float32Array | undefined,
    norm: Normalisation | undefined,
    capacity: number,
  ): Promise<{ data: Float32Array; valid: Uint8Array }> {
    if (sameGrid) {
      const w = { ...window, x: window.x + Math.round(offX), y: window.y + Math.round(offY) };
      const length = w.width * w.height * bands;
      const raw = rawInto(after, spareRaw.after, length, capacity);
      const r = await after.readWindow(w, { bands: afterBands, signal, into: raw });
      // Before scaling: the stretch's clamp would turn an infinite value into a valid-looking 1.
      markNonFiniteInvalid(r.data, bands, r.valid);
      const data = applyUnitScaling(r.data, bands, scaling.after, into, norm);
      spareRaw.after.give(r.data);
      return { data, valid: r.valid };
    }
    const { u, v } = sourcePixelCoordinates(grid.geoTransform, window, agt, transform);
    const n = window.width * window.height;
    // resample writes every pixel; with no source pixels at all, a reused plane is cleared as a fresh one is.
    const data = into ?? new Float32Array(n * bands);
    const valid = new Uint8Array(n);
    const srcWin = sourceWindowFor(u, v);
    const inside = srcWin && intersectWindows(srcWin, { x: 0, y: 0, width: ag.width, height: ag.height });
    if (!srcWin || !inside) return { data: into ? data.fill(0) : data, valid }; // all invalid: filled later
    const clipped = intersectWindows(srcWin, {
      x: inside.x - 1,
      y: inside.y - 1,
      width: inside.width + 2,
      height: inside.height + 2,
    })!;
    const r = await after.readWindow(clipped, {
      bands: afterBands,
      signal,
      into: rawInto(after, spareRaw.after, clipped.width * clipped.height * bands, capacity),
    });
    markNonFiniteInvalid(r.data, bands, r.valid);
    // Scale before resampling so the stretch's clamp happens on source values, as it does for the before date.
    const scaled = applyUnitScaling(r.data, bands, scaling.after);
    spareRaw.after.give(r.data);
    resample(scaled, r.valid, clipped, bands, u, v, 'bilinear', data, valid);
    // Bilinear weights sum to one, so normalising after resampling equals resampling normalised values.
    if (norm) normaliseInPlace(data, bands, norm.mean, norm.std);
    return { data, valid };
  }

  /** `valid` (the before date's) becomes valid in both dates and inside the analysis grid. */
  function validInBothAndGrid(valid: Uint8Array, afterValid: Uint8Array, window: PixelWindow): void {
    for (let i = 0; i < valid.length; i++) valid[i] &= afterValid[i];
    // Outside the analysis grid (a halo past its edge) nothing is valid: whole rows above and below it, and the
    // columns left and right of it in the others.
    const w = window.width;
    const inStart = Math.min(w, Math.max(0, -window.x));
    const inEnd = Math.max(inStart, Math.min(w, grid.width - window.x));
    for (let r = 0; r < window.height; r++) {
      const gy = window.y + r;
      const row = r * w;
      if (gy < 0 || gy >= grid.height) valid.fill(0, row, row + w);
      else {
        valid.fill(0, row, row + inStart);
        valid.fill(0, row + inEnd, row + w);
      }
    }
  }

  // Both dates 8- or 16-bit and the after date read as it lies: their samples are the planes, normalised as they
  // are cut (each band's sampleMap).
  const keepsSamples = (set: ImagerySet) =>
    set.metadata.sampleType === 'uint8' || set.metadata.sampleType === 'uint16';
  const types = {
    before: SAMPLE_TYPES[before.metadata.sampleType],
    after: SAMPLE_TYPES[after.metadata.sampleType],
  };
  // The maps of the last normalisation asked for (a run asks for one).
  let mapsFor: { norm: Normalisation; maps: AlignedSampleChunk['maps'] } | null = null;
  const mapsOf = (norm: Normalisation) => {
    if (mapsFor?.norm !== norm) {
      mapsFor = {
        norm,
        maps: { before: sampleMaps(scaling.before, norm), after: sampleMaps(scaling.after, norm) },
      };
    }
    return mapsFor.maps;
  };
  const samples: SampleReader | undefined =
    sameGrid && keepsSamples(before) && keepsSamples(after)
      ? {
          async read(window: PixelWindow, options: SampleReadOptions): Promise<AlignedSampleChunk> {
            const { signal, reuse, normalise } = options;
            const bw = { ...window, x: window.x + beforeWindow.x, y: window.y + beforeWindow.y };
            const aw = { ...window, x: window.x + Math.round(offX), y: window.y + Math.round(offY) };
            // readWindow fills an offered array only of its own type and length, else makes one.
            const [b, a] = await Promise.all([
              before.readWindow(bw, { bands: beforeBands, signal, into: reuse?.before }),
              after.readWindow(aw, { bands: afterBands, signal, into: reuse?.after }),
            ]);
            validInBothAndGrid(b.valid, a.valid, window);
            return {
              window,
              bands,
              before: b.data as SampleArray,
              after: a.data as SampleArray,
              valid: b.valid,
              maps: mapsOf(normalise),
              normalisedBy: normalise,
            };
          },
          planes: (length) => ({
            before: types.before.create(length) as SampleArray,
            after: types.after.create(length) as SampleArray,
          }),
        }
      : undefined;

  return {
    grid,
    bands,
    beforeWindow,
    beforeStats,
    afterStats,
    scaling,
    async read(window: PixelWindow, options: AlignedReadOptions = {}): Promise<AlignedChunk> {
      const { signal, reuse, normalise } = options;
      const bw = { ...window, x: window.x + beforeWindow.x, y: window.y + beforeWindow.y };
      const planeLength = window.width * window.height * bands;
      const fits = reuse && reuse.before.length >= planeLength && reuse.after.length >= planeLength;
      const capacity = reuse ? Math.min(reuse.before.length, reuse.after.length) : 0;
      const beforeInto = rawInto(before, spareRaw.before, planeLength, capacity);
      const [b, a] = await Promise.all([
        before.readWindow(bw, { bands: beforeBands, signal, into: beforeInto }),
        readAfter(
          window,
          signal,
          fits ? reuse.after.subarray(0, planeLength) : undefined,
          normalise,
          capacity,
        ),
      ]);
      const valid = b.valid;
      markNonFiniteInvalid(b.data, bands, valid);
      validInBothAndGrid(valid, a.valid, window);
      const into = fits ? reuse.before.subarray(0, planeLength) : undefined;
      const beforePlanes = applyUnitScaling(b.data, bands, scaling.before, into, normalise);
      spareRaw.before.give(b.data);
      const chunk: AlignedChunk = { window, bands, before: beforePlanes, after: a.data, valid };
      if (!normalise) return chunk;
      // Finite raw values of a float date can still overflow float32 once scaled (1e39, or 3e38 / a std below 1).
      if (!integerDates) markPairNonFiniteInvalid(chunk.before, chunk.after, valid, bands);
      fillInvalidPair(chunk.before, chunk.after, valid, bands, normalise);
      return { ...chunk, normalisedBy: normalise };
    },
    ...(samples && { samples }),
    async close() {
      // The sets belong to the caller (they may be reused for another pair); nothing of ours to release.
    },
  };
}
