// A generated before/after pair of any size, read window by window without ever existing whole: the fixture of
// run tests, the bench, and `changemap run --synthetic`. Every pixel's value depends only on its grid position,
// so any window reads the same values as the same pixels of any other window.
import type {
  AlignedChunk,
  AlignedPairSource,
  AlignedReadOptions,
  GridSpec,
  PixelWindow,
} from '../../core/raster/types';

export interface SyntheticPairOptions {
  width: number;
  height: number;
  bands?: number;
  seed?: number;
  /** Georeference as UTM 33N at 3 m (default) or leave in pixel space. */
  georeferenced?: boolean;
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

  // Never normalises (options.normalise): the run engine does it, as for any source that does not.
  async function read(window: PixelWindow, options?: AlignedReadOptions): Promise<AlignedChunk> {
    options?.signal?.throwIfAborted();
    const { x, y, width: w, height: h } = window;
    const n = w * h;
    // The caller's spare planes where they fit, as an image source fills them: fresh ones for every read made the
    // seed-sized bench's memory the garbage of this fixture (100 MiB a read), not the run's.
    const reuse = options?.reuse;
    const fits = reuse && reuse.before.length >= bands * n && reuse.after.length >= bands * n;
    const before = fits ? reuse.before.subarray(0, bands * n) : new Float32Array(bands * n);
    const after = fits ? reuse.after.subarray(0, bands * n) : new Float32Array(bands * n);
    const valid = new Uint8Array(n).fill(1);
    const col = new Float32Array(w);
    for (let b = 0; b < bands; b++) {
      const cw = colWave[b];
      const rw = rowWave[b];
      for (let c = 0; c < w; c++)
        col[c] = 0.25 * Math.sin((x + c) / cw.p + cw.a) + 0.1 * Math.sin((x + c) / cw.q);
      for (let r = 0; r < h; r++) {
        const rowV = 0.5 + 0.12 * Math.sin((y + r) / rw.p + rw.a) + 0.05 * Math.sin((y + r) / rw.q);
        const o = b * n + r * w;
        for (let c = 0; c < w; c++) before[o + c] = rowV + col[c];
      }
    }
    after.set(before);
    for (const rect of changes) {
      const x0 = Math.max(rect.x, x);
      const y0 = Math.max(rect.y, y);
      const x1 = Math.min(rect.x + rect.w, x + w);
      const y1 = Math.min(rect.y + rect.h, y + h);
      for (let b = 0; b < bands; b++) {
        const s = b % 2 === 0 ? rect.shift : -rect.shift;
        for (let r = y0; r < y1; r++) for (let c = x0; c < x1; c++) after[b * n + (r - y) * w + (c - x)] += s;
      }
    }
    for (let r = 0; r < h; r++) {
      const gy = y + r;
      const inStripe = gy >= stripeY && gy < stripeY + stripeH;
      for (let c = 0; c < w; c++) {
        const dx = x + c - disc.x;
        const dy = gy - disc.y;
        if (inStripe || dx * dx + dy * dy < disc.r * disc.r) valid[r * w + c] = 0;
      }
    }
    return { window, bands, before, after, valid };
  }

  return { grid, bands, read, close: async () => undefined };
}
