// How found change regions compare with planted (true) changes, object by object: a planted change is detected
// when regions cover at least `minCover` of its pixels, and the region covering most of it is the one that found
// it; a region is a false alarm when true change covers less than `minCover` of it. Pure: pixel sets come in as
// label images over one window.

export interface PlantedMatch {
  id: number;
  pixels: number;
  /** Pixels of the planted change inside any region. */
  covered: number;
  detected: boolean;
  /** Every region that overlaps it, ascending. */
  regionIds: number[];
  /** The region holding most of its pixels (ties: the lower id), or null when none overlaps. */
  foundBy: number | null;
}

export interface TruthMatch {
  planted: PlantedMatch[];
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
  const planted = new Map<number, { pixels: number; covered: number; byRegion: Map<number, number> }>();
  const regions = new Map<number, { pixels: number; truePixels: number }>();
  for (let i = 0; i < regionLabels.length; i++) {
    const p = plantedLabels[i];
    const r = regionLabels[i];
    if (p) {
      const entry = planted.get(p) ?? { pixels: 0, covered: 0, byRegion: new Map<number, number>() };
      entry.pixels++;
      if (r) {
        entry.covered++;
        entry.byRegion.set(r, (entry.byRegion.get(r) ?? 0) + 1);
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
  const plantedOut: PlantedMatch[] = [...planted.entries()]
    .map(([id, e]) => {
      const regionIds = [...e.byRegion.keys()].sort((a, b) => a - b);
      let foundBy: number | null = null;
      for (const r of regionIds)
        if (foundBy === null || e.byRegion.get(r)! > e.byRegion.get(foundBy)!) foundBy = r;
      return {
        id,
        pixels: e.pixels,
        covered: e.covered,
        detected: e.covered >= minCover * e.pixels,
        regionIds,
        foundBy,
      };
    })
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

/** A land-cover transition in the planner classes; null where a side is unknown (not classified). */
export interface Transition {
  from: string | null;
  to: string | null;
}

export interface TransitionVerdict {
  id: number;
  expected: Transition;
  /** The transition of the region that found the change; null when it was missed. */
  found: Transition | null;
  /** Detected, and the finding region says exactly the expected from and to classes. */
  right: boolean;
}

/**
 * Whether each planted change got the right transition: the region that found it (see matchTruth) must name the
 * planted from and to classes. A missed change is never right, whatever region grazes it.
 */
export function judgeTransitions(
  match: TruthMatch,
  expected: ReadonlyMap<number, Transition>,
  regionTransitions: ReadonlyMap<number, Transition>,
): { verdicts: TransitionVerdict[]; right: number } {
  const verdicts = match.planted.map((p) => {
    const want = expected.get(p.id) ?? { from: null, to: null };
    const found = p.detected && p.foundBy !== null ? (regionTransitions.get(p.foundBy) ?? null) : null;
    const right = found !== null && want.from !== null && found.from === want.from && found.to === want.to;
    return { id: p.id, expected: want, found, right };
  });
  return { verdicts, right: verdicts.filter((v) => v.right).length };
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
