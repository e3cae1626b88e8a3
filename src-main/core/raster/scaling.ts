// Step 1 of the model card's normalisation ("unitScaling: datatype") and step 2 ((x - mean) / std), plus the
// per-band statistics they need, gathered from a spread sample of windows with invalid pixels skipped.
import type { Normalisation, PixelWindow, SampleMap, SampleType } from './types';

/**
 * How raw values of one band become the unit range: value * scale + offset. Percentile stretches are limited to
 * [STRETCH_MIN, STRETCH_MAX], as the model card says and training did: values beyond p2..p98 keep some contrast.
 */
export interface UnitScaling {
  scale: number;
  offset: number;
  clamp: boolean;
}

export const STRETCH_MIN = -0.5;
export const STRETCH_MAX = 1.5;

export interface BandStatistics {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  p2: number;
  p98: number;
}

/** Whether unitScalingFor needs band statistics for this type (the percentile stretch of integers beyond 8 bits). */
export function scalingNeedsStatistics(type: SampleType): boolean {
  return !(type === 'uint8' || type === 'float32' || type === 'float64');
}

/** uint8 / 255; other integers by the p2..p98 stretch; floats pass through. */
export function unitScalingFor(type: SampleType, stats: BandStatistics | null): UnitScaling {
  if (type === 'uint8') return { scale: 1 / 255, offset: 0, clamp: false };
  if (type === 'float32' || type === 'float64') return { scale: 1, offset: 0, clamp: false };
  if (!stats || stats.count === 0 || stats.p98 <= stats.p2) {
    const max = type === 'uint16' ? 65535 : stats && stats.max > 0 ? stats.max : 1;
    return { scale: 1 / max, offset: 0, clamp: true };
  }
  const scale = 1 / (stats.p98 - stats.p2);
  return { scale, offset: -stats.p2 * scale, clamp: true };
}

/**
 * Band-planar raw values to float32 unit range, band by band; with `norm`, normalised for the model as well, in
 * the same pass: the stretch and (x - mean) / std are both affine, so they make one affine map per band, and the
 * stretch's clamp moves through the normalisation with them (std > 0 keeps its order).
 */
export function applyUnitScaling(
  raw: ArrayLike<number>,
  bands: number,
  scalings: UnitScaling[],
  out: Float32Array = new Float32Array(raw.length),
  norm?: Pick<Normalisation, 'mean' | 'std'>,
): Float32Array {
  const n = raw.length / bands;
  for (let b = 0; b < bands; b++) {
    const { scale, offset, lo, hi, clamp } = sampleMap(scalings[b], norm, b);
    const base = b * n;
    if (raw instanceof Uint8Array) {
      // 8-bit imagery, the common case: 256 values, so one table lookup per sample instead of a multiply, an add
      // and the clamp's comparisons (the table holds what the arithmetic below would store).
      const table = sampleTable(scalings[b], norm, b);
      for (let i = base, end = base + n; i < end; i++) out[i] = table[raw[i]];
    } else if (clamp) {
      for (let i = 0; i < n; i++) {
        const v = raw[base + i] * scale + offset;
        out[base + i] = v < lo ? lo : v > hi ? hi : v;
      }
    } else {
      for (let i = 0; i < n; i++) out[base + i] = raw[base + i] * scale + offset;
    }
  }
  return out;
}

/**
 * What each of the `out.length` values of an integer band (256 for 8 bits) becomes through applyUnitScaling (with
 * `norm`, band b's normalisation too): the same float32 values, from the same arithmetic.
 */
function sampleTable(
  scaling: UnitScaling,
  norm: Pick<Normalisation, 'mean' | 'std'> | undefined,
  b: number,
  out: Float32Array = new Float32Array(256),
): Float32Array {
  const map = sampleMap(scaling, norm, b);
  for (let v = 0; v < out.length; v++) out[v] = mapSample(map, v);
  return out;
}

/** Band b's unit scaling and normalisation as one affine map, value * scale + offset, clamped to lo..hi. */
export function sampleMap(
  scaling: UnitScaling,
  norm: Pick<Normalisation, 'mean' | 'std'> | undefined,
  b: number,
): SampleMap {
  const inv = norm ? 1 / norm.std[b] : 1;
  const mean = norm ? norm.mean[b] : 0;
  return {
    scale: scaling.scale * inv,
    offset: (scaling.offset - mean) * inv,
    lo: (STRETCH_MIN - mean) * inv,
    hi: (STRETCH_MAX - mean) * inv,
    clamp: scaling.clamp,
  };
}

/** sampleMap of every band. */
export function sampleMaps(scalings: UnitScaling[], norm: Pick<Normalisation, 'mean' | 'std'>): SampleMap[] {
  return scalings.map((scaling, b) => sampleMap(scaling, norm, b));
}

/**
 * A raw value through a band's map, before it is stored as float32. The loops of applyUnitScaling and cutSampleChip
 * (core/tiling/chips.ts) spell this arithmetic out for speed; they must stay the same.
 */
export function mapSample(map: SampleMap, value: number): number {
  const x = value * map.scale + map.offset;
  return map.clamp ? (x < map.lo ? map.lo : x > map.hi ? map.hi : x) : x;
}

/** The card's step 2, in place: (x - mean[b]) / std[b]. */
export function normaliseInPlace(
  data: Float32Array,
  bands: number,
  mean: readonly number[],
  std: readonly number[],
): Float32Array {
  const n = data.length / bands;
  for (let b = 0; b < bands; b++) {
    const m = mean[b];
    const inv = 1 / std[b];
    for (let i = b * n, end = (b + 1) * n; i < end; i++) data[i] = (data[i] - m) * inv;
  }
  return data;
}

/** Up to `count` windows of `size` spread evenly over a width x height grid (a regular lattice). */
export function spreadSampleWindows(
  width: number,
  height: number,
  count: number,
  size: number,
): PixelWindow[] {
  const w = Math.min(size, width);
  const h = Math.min(size, height);
  const per = Math.max(1, Math.round(Math.sqrt(count)));
  const nx = Math.min(per, Math.ceil(width / w));
  const ny = Math.min(per, Math.ceil(height / h));
  const out: PixelWindow[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = nx === 1 ? Math.floor((width - w) / 2) : Math.round(((width - w) * i) / (nx - 1));
      const y = ny === 1 ? Math.floor((height - h) / 2) : Math.round(((height - h) * j) / (ny - 1));
      out.push({ x, y, width: w, height: h });
    }
  }
  return out;
}

/**
 * Accumulates per-band statistics over samples. Percentiles come from a histogram: exact for 8- and 16-bit
 * integers, 4096 bins between the observed min and max for other types (fed twice: a range pass, then counts).
 */
export class BandStatisticsAccumulator {
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly count: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly hist: Uint32Array[];
  private readonly bins: number;
  constructor(
    private readonly bands: number,
    private readonly type: SampleType,
    private readonly range: [number, number] | null = null,
  ) {
    this.sum = new Float64Array(bands);
    this.sumSq = new Float64Array(bands);
    this.count = new Float64Array(bands);
    this.min = new Float64Array(bands).fill(Infinity);
    this.max = new Float64Array(bands).fill(-Infinity);
    this.bins = type === 'uint8' ? 256 : type === 'uint16' ? 65536 : 4096;
    this.hist = Array.from({ length: bands }, () => new Uint32Array(this.bins));
  }

  add(data: ArrayLike<number>, valid: Uint8Array): void {
    const n = valid.length;
    const [lo, hi] = this.range ?? [0, this.bins - 1];
    const binScale = this.type === 'uint8' || this.type === 'uint16' ? 1 : (this.bins - 1) / (hi - lo || 1);
    const binOffset = this.type === 'uint8' || this.type === 'uint16' ? 0 : lo;
    for (let b = 0; b < this.bands; b++) {
      const h = this.hist[b];
      let s = 0;
      let s2 = 0;
      let c = 0;
      let mn = this.min[b];
      let mx = this.max[b];
      for (let i = 0; i < n; i++) {
        if (!valid[i]) continue;
        const v = data[b * n + i];
        if (v !== v) continue;
        s += v;
        s2 += v * v;
        c++;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        const bin = Math.round((v - binOffset) * binScale);
        h[bin < 0 ? 0 : bin >= this.bins ? this.bins - 1 : bin]++;
      }
      this.sum[b] += s;
      this.sumSq[b] += s2;
      this.count[b] += c;
      this.min[b] = mn;
      this.max[b] = mx;
    }
  }

  result(): BandStatistics[] {
    const [lo, hi] = this.range ?? [0, this.bins - 1];
    const exact = this.type === 'uint8' || this.type === 'uint16';
    const valueOf = (bin: number) => (exact ? bin : lo + (bin * (hi - lo)) / (this.bins - 1));
    return Array.from({ length: this.bands }, (_, b) => {
      const count = this.count[b];
      const mean = count ? this.sum[b] / count : 0;
      const variance = count ? Math.max(0, this.sumSq[b] / count - mean * mean) : 0;
      const percentile = (p: number) => {
        const target = p * count;
        let acc = 0;
        for (let i = 0; i < this.bins; i++) {
          acc += this.hist[b][i];
          if (acc >= target && acc > 0) return valueOf(i);
        }
        return valueOf(this.bins - 1);
      };
      return {
        count,
        mean,
        std: Math.sqrt(variance),
        min: count ? this.min[b] : 0,
        max: count ? this.max[b] : 0,
        p2: count ? percentile(0.02) : 0,
        p98: count ? percentile(0.98) : 0,
      };
    });
  }
}
