// Change vector analysis (CVA): the classic model-free baseline. Each date is normalised per band to zero mean and
// unit spread over the pixels valid in both, so a uniform brightness or contrast change between dates cancels out;
// the change magnitude is the length of the per-pixel difference vector; Otsu's method picks the threshold.
// Otsu is hand-written (a 256-bin histogram and one pass) rather than pulled in as a dependency.
import { ChangeMapError } from '../errors';

/** Band-planar pixels: band b, pixel p at [b * pixelCount + p]. */
export type BandPlanar = ArrayLike<number>;

export interface BandStatistics {
  mean: number[];
  std: number[];
}

function checkShapes(before: BandPlanar, after: BandPlanar, bands: number, valid?: Uint8Array): number {
  if (!Number.isInteger(bands) || bands < 1)
    throw new ChangeMapError('CVA_BAD_BANDS', 'The band count must be a positive whole number.');
  if (before.length !== after.length || before.length % bands !== 0) {
    throw new ChangeMapError(
      'CVA_SHAPE_MISMATCH',
      'The before and after images must have the same size and band count.',
    );
  }
  const pixelCount = before.length / bands;
  if (valid && valid.length !== pixelCount) {
    throw new ChangeMapError('CVA_SHAPE_MISMATCH', 'The validity mask must have one value per pixel.');
  }
  return pixelCount;
}

/** Mean and population standard deviation of each band over the valid pixels (std 1 where a band is flat). */
export function bandStatistics(data: BandPlanar, bands: number, valid?: Uint8Array): BandStatistics {
  const pixelCount = data.length / bands;
  const mean: number[] = [];
  const std: number[] = [];
  for (let b = 0; b < bands; b++) {
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    const offset = b * pixelCount;
    for (let p = 0; p < pixelCount; p++) {
      if (valid && !valid[p]) continue;
      const v = data[offset + p];
      n++;
      sum += v;
      sumSq += v * v;
    }
    const m = n > 0 ? sum / n : 0;
    const variance = n > 0 ? Math.max(0, sumSq / n - m * m) : 0;
    mean.push(m);
    std.push(variance > 0 ? Math.sqrt(variance) : 1);
  }
  return { mean, std };
}

/**
 * Per-pixel change magnitude: || z_after - z_before || where z is each date's per-band standardised value.
 * Invalid pixels get 0.
 */
export function changeMagnitude(
  before: BandPlanar,
  after: BandPlanar,
  bands: number,
  valid?: Uint8Array,
): Float32Array {
  const pixelCount = checkShapes(before, after, bands, valid);
  const sb = bandStatistics(before, bands, valid);
  const sa = bandStatistics(after, bands, valid);
  const out = new Float32Array(pixelCount);
  for (let b = 0; b < bands; b++) {
    const offset = b * pixelCount;
    for (let p = 0; p < pixelCount; p++) {
      const d = (after[offset + p] - sa.mean[b]) / sa.std[b] - (before[offset + p] - sb.mean[b]) / sb.std[b];
      out[p] += d * d;
    }
  }
  for (let p = 0; p < pixelCount; p++) out[p] = valid && !valid[p] ? 0 : Math.sqrt(out[p]);
  return out;
}

/**
 * Otsu's threshold over the valid values: the cut of a `bins`-bin histogram that maximises the between-class
 * variance. Values strictly above the returned threshold belong to the upper class.
 */
export function otsuThreshold(values: ArrayLike<number>, valid?: Uint8Array, bins = 256): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (valid && !valid[i]) continue;
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) {
    if (min === Infinity)
      throw new ChangeMapError('CVA_NO_VALID_PIXELS', 'There are no valid pixels to threshold.');
    return max;
  }
  const width = (max - min) / bins;
  const histogram = new Float64Array(bins);
  let total = 0;
  let sumAll = 0;
  for (let i = 0; i < values.length; i++) {
    if (valid && !valid[i]) continue;
    const k = Math.min(bins - 1, Math.floor((values[i] - min) / width));
    histogram[k]++;
    total++;
    sumAll += k;
  }
  let weightLow = 0;
  let sumLow = 0;
  let best = -1;
  let bestK = 0;
  for (let k = 0; k < bins - 1; k++) {
    weightLow += histogram[k];
    sumLow += k * histogram[k];
    const weightHigh = total - weightLow;
    if (weightLow === 0 || weightHigh === 0) continue;
    const meanLow = sumLow / weightLow;
    const meanHigh = (sumAll - sumLow) / weightHigh;
    const between = weightLow * weightHigh * (meanLow - meanHigh) ** 2;
    if (between > best) {
      best = between;
      bestK = k;
    }
  }
  // Upper edge of the last bin of the lower class.
  return min + (bestK + 1) * width;
}

export interface CvaResult {
  magnitude: Float32Array;
  threshold: number;
  /** 1 = changed (magnitude above the threshold and valid). */
  mask: Uint8Array;
}

/** Change vector analysis of a before/after pair (band-planar, same grid). */
export function changeVectorAnalysis(
  before: BandPlanar,
  after: BandPlanar,
  bands: number,
  valid?: Uint8Array,
): CvaResult {
  const magnitude = changeMagnitude(before, after, bands, valid);
  const threshold = otsuThreshold(magnitude, valid);
  const mask = new Uint8Array(magnitude.length);
  for (let p = 0; p < mask.length; p++) mask[p] = (!valid || valid[p]) && magnitude[p] > threshold ? 1 : 0;
  return { magnitude, threshold, mask };
}
