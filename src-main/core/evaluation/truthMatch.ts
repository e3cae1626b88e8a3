// How found change regions compare with planted (true) changes, object by object: a planted change is detected
// when regions cover at least `minCover` of its pixels; a region is a false alarm when true change covers less than
// `minCover` of it. Pure: pixel sets come in as label images over one window.

export interface TruthMatch {
  /** Per planted change: pixels, how many regions cover, share covered. */
  planted: { id: number; pixels: number; covered: number; detected: boolean; regionIds: number[] }[];
  /** Per region: pixels and the share of them that is true change. */
  regions: { id: number; pixels: number; truePixels: number; falseAlarm: boolean }[];
  detected: number;
  missed: number;
  falseAlarms: number;
}

/**
 * plantedLabels: 0 = none, else the planted change id at each pixel; regionLabels: 0 = none, else region id;
 * truth: 1 where the pixel truly changed.
 */
export function matchTruth(
  plantedLabels: Int32Array,
  regionLabels: Int32Array,
  truth: Uint8Array,
  minCover = 0.2,
): TruthMatch {
  const planted = new Map<number, { pixels: number; covered: number; regionIds: Set<number> }>();
  const regions = new Map<number, { pixels: number; truePixels: number }>();
  for (let i = 0; i < regionLabels.length; i++) {
    const p = plantedLabels[i];
    const r = regionLabels[i];
    if (p) {
      const entry = planted.get(p) ?? { pixels: 0, covered: 0, regionIds: new Set<number>() };
      entry.pixels++;
      if (r) {
        entry.covered++;
        entry.regionIds.add(r);
      }
      planted.set(p, entry);
    }
    if (r) {
      const entry = regions.get(r) ?? { pixels: 0, truePixels: 0 };
      entry.pixels++;
      if (truth[i]) entry.truePixels++;
      regions.set(r, entry);
    }
  }
  const plantedOut = [...planted.entries()]
    .map(([id, e]) => ({
      id,
      pixels: e.pixels,
      covered: e.covered,
      detected: e.covered >= minCover * e.pixels,
      regionIds: [...e.regionIds].sort((a, b) => a - b),
    }))
    .sort((a, b) => a.id - b.id);
  const regionsOut = [...regions.entries()]
    .map(([id, e]) => ({ id, ...e, falseAlarm: e.truePixels < minCover * e.pixels }))
    .sort((a, b) => a.id - b.id);
  return {
    planted: plantedOut,
    regions: regionsOut,
    detected: plantedOut.filter((p) => p.detected).length,
    missed: plantedOut.filter((p) => !p.detected).length,
    falseAlarms: regionsOut.filter((r) => r.falseAlarm).length,
  };
}

/** Pixel-level scores of a binary prediction against truth (valid pixels only). */
export function pixelScores(
  predicted: Uint8Array,
  truth: Uint8Array,
): { precision: number; recall: number; f1: number; iou: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (predicted[i] && truth[i]) tp++;
    else if (predicted[i]) fp++;
    else if (truth[i]) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    iou: tp + fp + fn ? tp / (tp + fp + fn) : 0,
  };
}
