// Running a change model over a whole (small) scene the way a run does: the card's unit scaling per date, chips
// with overlap cut by core/tiling, batched through the app's ChangeDetector, blended with the same window.
import {
  applyUnitScaling,
  BandStatisticsAccumulator,
  unitScalingFor,
} from '../../src-main/core/raster/scaling';
import { chipOrigins } from '../../src-main/core/tiling/chunkPlan';
import { cutChip } from '../../src-main/core/tiling/chips';
import {
  addChip,
  blendedProbabilities,
  chipWeights,
  createBlendTarget,
} from '../../src-main/core/tiling/blend';
import type { ChangeModelCard } from '../../src-main/core/models/modelCard';

/**
 * Step 1 of the card's normalisation for one date: uint8 / 255, uint16 by its own p2..p98 stretch per band, through
 * the app's core/raster/scaling (which limits the stretch to [-0.5, 1.5], as training did). `stretchLimits` instead clips the stretch to
 * other bounds: training used [-0.5, 1.5], so eval can show what the app's tighter clamp costs.
 */
export function unitScaleDate(
  raw: Uint8Array | Uint16Array,
  bands: number,
  sampleType: 'uint8' | 'uint16',
  stretchLimits?: [number, number],
): Float32Array {
  const n = raw.length / bands;
  let stats = null;
  if (sampleType !== 'uint8') {
    const acc = new BandStatisticsAccumulator(bands, sampleType);
    acc.add(raw, new Uint8Array(n).fill(1));
    stats = acc.result();
  }
  const scalings = Array.from({ length: bands }, (_, b) =>
    unitScalingFor(sampleType, stats ? stats[b] : null),
  );
  if (!stretchLimits || sampleType === 'uint8') return applyUnitScaling(raw, bands, scalings);
  const [lo, hi] = stretchLimits;
  const out = applyUnitScaling(
    raw,
    bands,
    scalings.map((sc) => ({ ...sc, clamp: false })),
  );
  for (let i = 0; i < out.length; i++) out[i] = out[i] < lo ? lo : out[i] > hi ? hi : out[i];
  return out;
}

/** What eval needs of a change model: chips in, probabilities out (the app's ChangeDetector fits). */
export interface ChipModel {
  readonly card: ChangeModelCard;
  predict(before: Float32Array, after: Float32Array, n: number): Promise<Float32Array>;
}

/**
 * Change probability for every pixel of a width x height scene (unit-scaled, band-planar inputs). Chips overlap by
 * `overlap` pixels and are blended with the run's sin² window; chips hanging over the edge are padded with the
 * card's fill (by default the band mean, 0 after normalisation), as in a run.
 */
export async function predictChangeProbability(
  model: ChipModel,
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  overlap: number,
  batch = 8,
  /** Chip edge: the card's chipSize, or a size its chipSizes allows (scripts/bench-seams.ts compares them). */
  chip = model.card.chipSize,
): Promise<Float32Array> {
  const { card } = model;
  const bands = card.bands.length;
  const norm = card.normalisation;
  const window = { x: 0, y: 0, width, height };
  const valid = new Uint8Array(width * height).fill(1);
  const stride = chip - overlap;
  const chips: [number, number][] = [];
  for (const y of chipOrigins(height, chip, stride))
    for (const x of chipOrigins(width, chip, stride)) chips.push([x, y]);
  const weights = chipWeights(chip);
  const target = createBlendTarget(window);
  const plane = bands * chip * chip;
  for (let start = 0; start < chips.length; start += batch) {
    const group = chips.slice(start, start + batch);
    const a = new Float32Array(group.length * plane);
    const b = new Float32Array(group.length * plane);
    group.forEach(([x, y], slot) => {
      cutChip(a, slot, before, valid, window, bands, x, y, chip, norm);
      cutChip(b, slot, after, valid, window, bands, x, y, chip, norm);
    });
    const probability = await model.predict(a, b, group.length);
    group.forEach(([x, y], slot) => addChip(target, probability, slot * chip * chip, x, y, weights));
  }
  return blendedProbabilities(target);
}
