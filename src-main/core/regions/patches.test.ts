import { describe, expect, it } from 'vitest';
import type { ClassifierModelCard } from '../models/modelCard';
import {
  classifierGsdM,
  classifierPatch,
  classifierPatchWindow,
  landCoverAnswer,
  resamplePlanes,
  UNCERTAIN_LABEL,
} from './patches';

// The shipped land-cover classifier's geometry: 64 px at 10 m, trained on 4.7-75 m per input pixel.
const geometry = { inputSize: 64, inputGsdM: 10, gsdRangeM: [4.7, 75] as [number, number] };

describe('the ground size a region is classified at', () => {
  it('does not shrink very high resolution imagery to 10 m when that leaves the region a few pixels', () => {
    // A 40 m group of houses at 0.5 m: at 10 m it would be 4 of 64 pixels; at the classifier's 4.7 m floor, 8.5.
    expect(classifierGsdM(40, 0.5, geometry)).toBe(4.7);
    // 3 m imagery, a 100 m region: fine enough that it spans 16 input pixels.
    expect(classifierGsdM(100, 3, geometry)).toBeCloseTo(6.25, 6);
  });

  it('keeps the classifier ground size for large regions and never enlarges the imagery', () => {
    expect(classifierGsdM(400, 0.5, geometry)).toBe(10);
    expect(classifierGsdM(50, 10, geometry)).toBe(10);
    expect(classifierGsdM(50, 30, geometry)).toBe(30);
  });

  it('cuts a square of inputSize pixels at that ground size, grown to hold the region and its margin', () => {
    const box = { minCol: 2000, minRow: 2000, maxCol: 2079, maxRow: 2079 }; // 80 px = 40 m at 0.5 m
    const { window, sidePx } = classifierPatchWindow(box, 0.5, geometry, 5000, 5000);
    expect(sidePx).toBe(Math.ceil((64 * 4.7) / 0.5)); // 602, where the 10 m rule cut 1280
    expect(window.width).toBe(sidePx);
    expect(window.x).toBe(Math.round(2040 - sidePx / 2));
    const large = classifierPatchWindow({ ...box, maxCol: 3999 }, 0.5, geometry, 5000, 5000);
    expect(large.sidePx).toBe(Math.ceil(2000 * 1.5));
  });
});

describe('classifierPatch', () => {
  it('resamples a window that holds the whole square, as before', () => {
    const src = Float32Array.from({ length: 64 }, (_, i) => i);
    expect(classifierPatch(src, 1, 8, 8, 8, 4)).toEqual(resamplePlanes(src, 1, 8, 8, 4));
  });

  it('mirrors a small image around itself at its ground size instead of stretching it', () => {
    // A 4 x 4 image whose square should be 8 px across, to 4 px: the image shrinks to 2 x 2 (means of its
    // quarters 1, 2 / 3, 4) and sits in the middle; the rest is its mirror image.
    const src = Float32Array.from([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const out = Array.from(classifierPatch(src, 1, 4, 4, 8, 4));
    expect(out).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    // A stretch would have shown the image at twice the ground size; the mirrored patch keeps each image pixel
    // at a quarter of its side instead: the 2 x 2 content (1, 2 / 3, 4) appears whole at the centre.
    expect([out[5], out[6], out[9], out[10]]).toEqual([1, 2, 3, 4]);
  });

  it('mirrors along one side only when the image is narrow', () => {
    const src = Float32Array.from({ length: 2 * 8 }, (_, i) => i % 2); // 2 columns (0, 1) x 8 rows
    const out = classifierPatch(src, 1, 2, 8, 8, 8);
    expect(Array.from(out.subarray(0, 8))).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
  });
});

describe('landCoverAnswer', () => {
  const card = {
    classes: ['DenseResidential', 'SparseResidential', 'Farmland', 'Meadow', 'Forest', 'Pond'],
    landCover: {
      DenseResidential: 'residential',
      SparseResidential: 'residential',
      Farmland: 'cropland',
      Meadow: 'grassland',
      Forest: 'forest',
      Pond: 'water',
    },
    uncertainBelow: 0.35,
    uncertainMargin: 0.1,
  } as unknown as ClassifierModelCard;

  it('decides on planner classes after summing the classes that map to each', () => {
    // No AID class beats Farmland (0.3), but the two residential classes together do (0.4).
    const answer = landCoverAnswer([0.2, 0.2, 0.3, 0.1, 0.1, 0.1], 0, card);
    expect(answer.label).toBe('residential');
    expect(answer.confidence).toBeCloseTo(0.4, 6);
    expect(answer.top3.map((t) => t.label)).toEqual(['residential', 'cropland', 'grassland']);
  });

  it('says uncertain only when the best class is weak and the runner-up close', () => {
    // residential 0.30 vs cropland 0.25: cannot tell.
    expect(landCoverAnswer([0.15, 0.15, 0.25, 0.2, 0.15, 0.1], 0, card).label).toBe(UNCERTAIN_LABEL);
    // residential 0.33 vs cropland 0.20: weak but clearly ahead, so named.
    expect(landCoverAnswer([0.2, 0.13, 0.2, 0.17, 0.15, 0.15], 0, card).label).toBe('residential');
    // Strong enough on its own, however close the runner-up.
    expect(landCoverAnswer([0, 0.0, 0.36, 0.34, 0.2, 0.1], 0, card).label).toBe('cropland');
    // The answer of the second patch in a batch starts at its offset.
    expect(landCoverAnswer([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 6, card).label).toBe('water');
  });

  it('uses the threshold alone for cards without a margin', () => {
    const thresholdOnly = { ...card, uncertainMargin: undefined, uncertainBelow: 0.45 };
    const probs = [0.2, 0.13, 0.2, 0.17, 0.15, 0.15];
    expect(landCoverAnswer(probs, 0, thresholdOnly).label).toBe(UNCERTAIN_LABEL);
    expect(landCoverAnswer(probs, 0, { ...card, uncertainBelow: 0.45 }).label).toBe('residential');
  });
});
