// A generated before/after pair of any size, read window by window without ever existing whole: the fixture of
// run tests, the bench, and `changemap run --synthetic`. Every pixel's value depends only on its grid position,
// so any window reads the same values as the same pixels of any other window.
import { applyUnitScaling, sampleMaps, unitScalingFor, type UnitScaling } from '../../core/raster/scaling';
import type {
  AlignedChunk,
  AlignedPairSource,
  AlignedReadOptions,
  AlignedSampleChunk,
  GridSpec,
  PixelWindow,
  SampleReader,
  SampleReadOptions,
} from '../../core/raster/types';

export interface SyntheticPairOptions {
  width: number;
  height: number;
  bands?: number;
  seed?: number;
  /** Georeference as UTM 33N at 3 m (default) or leave in pixel space. */
  georeferenced?: boolean;
  /**
   * Values on the steps of 8-bit imagery (syntheticSample), read as samples too (`samples`), as a uint8 image
   * pair is: what the seed-sized bench runs, as most imagery is 8-bit.
   */
  eightBit?: boolean;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  shift: number;
}

export function syntheticPair(options: SyntheticPairOptions): AlignedPairSource {
  const { width, height } = options;
  const bands = options.bands ?? 3;
  const eightBit = options.eightBit ?? false;
  const random = mulberry32(options.seed ?? 1);
  const grid: GridSpec =
    options.georeferenced === false
      ? {
          width,
          height,
          geoTransform: [0, 1, 0, 0, 0, 1],
          crs: { code: null, name: 'pixels', proj4: null, units: 'pixel' },
        }
      : {
          width,
          height,
          geoTransform: [500000, 3, 0, 5400000, 0, -3],
          crs: {
            code: 'EPSG:32633',
            name: 'WGS 84 / UTM zone 33N',
            proj4: '+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs',
            units: 'm',
          },
        };
  // Smooth separable terrain: per band a sum of a column profile and a row profile (cheap for huge scenes).
  const period = (k: number) => 40 + 200 * random() + k;
  const colWave = Array.from({ length: bands }, (_, b) => ({
    p: period(b),
    q: period(b + 7),
    a: random() * 6,
  }));
  const rowWave = Array.from({ length: bands }, (_, b) => ({
    p: period(b + 3),
    q: period(b + 11),
    a: random() * 6,
  }));
  // Changes: rectangles where the after date differs; nodata: a band of rows and a disc.
  const changes: Rect[] = Array.from({ length: Math.max(3, Math.round((width * height) / 40000)) }, () => ({
    x: Math.floor(random() * width),
    y: Math.floor(random() * height),
    w: 5 + Math.floor(random() * 60),
    h: 5 + Math.floor(random() * 60),
    shift: 0.25 + 0.3 * random(),
  }));
  const stripeY = Math.floor(height * 0.37);
  const stripeH = Math.max(1, Math.floor(height / 50));
  const disc = { x: width * 0.7, y: height * 0.2, r: Math.max(2, Math.min(width, height) / 12) };

  /** Writes the window's values into band-planar `before` and `after` (as 8-bit samples where they are bytes). */
  function generate(
    window: PixelWindow,
    before: Float32Array | Uint8Array,
    after: Float32Array | Uint8Array,
  ): void {
    const { x, y, width: w, height: h } = window;
    const n = w * h;
    const hits = changes.filter((r) => r.x < x + w && r.x + r.w > x && r.y < y + h && r.y + r.h > y);
    const col = new Float32Array(w);
    // A row at a time in float, then stored: each pixel is computed as the whole-window passes did (the before
    // value, then each change's shift added in order), whichever array type it goes to.
    const rowBefore = new Float32Array(w);
    const rowAfter = new Float32Array(w);
    const asSamples = before instanceof Uint8Array;
    for (let b = 0; b < bands; b++) {
      const cw = colWave[b];
      const rw = rowWave[b];
      for (let c = 0; c < w; c++)
        col[c] = 0.25 * Math.sin((x + c) / cw.p + cw.a) + 0.1 * Math.sin((x + c) / cw.q);
      for (let r = 0; r < h; r++) {
        const gy = y + r;
        const rowV = 0.5 + 0.12 * Math.sin(gy / rw.p + rw.a) + 0.05 * Math.sin(gy / rw.q);
        for (let c = 0; c < w; c++) rowBefore[c] = rowV + col[c];
        rowAfter.set(rowBefore);
        for (const rect of hits) {
          if (gy < rect.y || gy >= rect.y + rect.h) continue;
          const s = b % 2 === 0 ? rect.shift : -rect.shift;
          for (let c = Math.max(rect.x, x), end = Math.min(rect.x + rect.w, x + w); c < end; c++)
            rowAfter[c - x] += s;
        }
        const o = b * n + r * w;
        if (asSamples) {
          for (let c = 0; c < w; c++) {
            before[o + c] = syntheticSample(rowBefore[c]);
            after[o + c] = syntheticSample(rowAfter[c]);
          }
        } else {
          before.set(rowBefore, o);
          after.set(rowAfter, o);
        }
      }
    }
  }

  function validity(window: PixelWindow): Uint8Array {
    const { x, y, width: w, height: h } = window;
    const valid = new Uint8Array(w * h).fill(1);
    for (let r = 0; r < h; r++) {
      const gy = y + r;
      const inStripe = gy >= stripeY && gy < stripeY + stripeH;
      for (let c = 0; c < w; c++) {
        const dx = x + c - disc.x;
        const dy = gy - disc.y;
        if (inStripe || dx * dx + dy * dy < disc.r * disc.r) valid[r * w + c] = 0;
      }
    }
    return valid;
  }

  /** The caller's spare arrays where they hold `length` values, as an image source fills them, else fresh ones. */
  function planes<T extends Float32Array | Uint8Array>(
    reuse: { before: T; after: T } | undefined,
    length: number,
    make: (length: number) => T,
  ): { before: T; after: T } {
    // Fresh planes for every read made the seed-sized bench's memory the garbage of this fixture (100 MiB a read).
    return reuse && reuse.before.length >= length && reuse.after.length >= length
      ? { before: reuse.before.subarray(0, length) as T, after: reuse.after.subarray(0, length) as T }
      : { before: make(length), after: make(length) };
  }

  /** Each band's unit scaling as an 8-bit image's (1/255): what the 8-bit pair's samples stand for. */
  const byteScalings = Array<UnitScaling>(bands).fill(unitScalingFor('uint8', null));

  // Never normalises (options.normalise): the run engine does it, as for any source that does not.
  async function read(window: PixelWindow, options?: AlignedReadOptions): Promise<AlignedChunk> {
    options?.signal?.throwIfAborted();
    const length = bands * window.width * window.height;
    const { before, after } = planes(options?.reuse, length, (k) => new Float32Array(k));
    if (eightBit) {
      // The samples as a uint8 image's read scales them (1/255).
      const samples = { before: new Uint8Array(length), after: new Uint8Array(length) };
      generate(window, samples.before, samples.after);
      applyUnitScaling(samples.before, bands, byteScalings, before);
      applyUnitScaling(samples.after, bands, byteScalings, after);
    } else generate(window, before, after);
    return { window, bands, before, after, valid: validity(window) };
  }

  async function readSamples(window: PixelWindow, options: SampleReadOptions): Promise<AlignedSampleChunk> {
    options.signal?.throwIfAborted();
    // Its own planes (samples.planes) are bytes; anything else offered is not filled.
    const reuse =
      options.reuse?.before instanceof Uint8Array
        ? (options.reuse as { before: Uint8Array; after: Uint8Array })
        : undefined;
    const { before, after } = planes(reuse, bands * window.width * window.height, (k) => new Uint8Array(k));
    generate(window, before, after);
    const maps = sampleMaps(byteScalings, options.normalise);
    return {
      window,
      bands,
      before,
      after,
      valid: validity(window),
      maps: { before: maps, after: maps },
      normalisedBy: options.normalise,
    };
  }

  const samples: SampleReader = {
    read: readSamples,
    planes: (length) => ({ before: new Uint8Array(length), after: new Uint8Array(length) }),
  };
  return { grid, bands, read, ...(eightBit && { samples }), close: async () => undefined };
}

/** A generated value as an 8-bit sample: 1..255 over 0..1 (0 is left for nodata, as the pair's files write it). */
export function syntheticSample(value: number): number {
  return 1 + Math.round(254 * Math.min(1, Math.max(0, value)));
}
