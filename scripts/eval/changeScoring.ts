// Scoring change scenes for `npm run eval`: every change model at its card threshold, the automatic choice (the
// model a run with model "auto" picks for the scene's pixel size) and the CVA baseline, pooled into tallies.
import { changeVectorAnalysis } from '../../src-main/core/baseline/cva';
import { chooseChangeModel } from '../../src-main/core/models/modelChoice';
import type { ChangeScene } from './datasets';
import { predictChangeProbability, unitScaleDate, type ChipModel } from './changeInference';
import { addMaskCounts, binaryScores, emptyCounts, type BinaryCounts } from './metrics';

export const AUTO = 'automatic choice';
export const CVA = 'CVA baseline';

/** Pixel counts of every model, the automatic choice and CVA over the scenes of one group (a dataset, all). */
export interface ChangeTally {
  scenes: number;
  pixels: number;
  changed: number;
  /** By card name, plus AUTO and CVA. */
  counts: Map<string, BinaryCounts>;
  /** The models the automatic choice picked for this group's scenes. */
  chosen: Set<string>;
}

export const emptyTally = (): ChangeTally => ({
  scenes: 0,
  pixels: 0,
  changed: 0,
  counts: new Map(),
  chosen: new Set(),
});

export type ScoredScene = Pick<
  ChangeScene,
  'width' | 'height' | 'before' | 'after' | 'truth' | 'sampleType' | 'gsdM'
>;

function addCounts(tally: ChangeTally, key: string, c: BinaryCounts): void {
  const into = tally.counts.get(key) ?? emptyCounts();
  for (const k of ['tp', 'fp', 'fn', 'tn'] as const) into[k] += c[k];
  tally.counts.set(key, into);
}

/** The model the app picks for imagery of this pixel size (core/models/modelChoice, as a run with model "auto"). */
export function automaticChoice<M extends ChipModel>(models: readonly M[], pixelSizeM: number): M {
  const { card } = chooseChangeModel(
    models.map((m) => m.card),
    pixelSizeM,
  );
  return models.find((m) => m.card === card)!;
}

/** A model's change mask at its card threshold (the app's default), chips overlapping as in a run. */
async function changeMask(
  model: ChipModel,
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const overlap = Math.round(model.card.chipSize / 8); // the app's default chip overlap
  const probability = await predictChangeProbability(model, before, after, width, height, overlap);
  const threshold = model.card.threshold;
  const mask = new Uint8Array(probability.length);
  for (let i = 0; i < mask.length; i++) mask[i] = probability[i] >= threshold ? 1 : 0;
  return mask;
}

/**
 * Scores one scene with every model, the automatic choice for its pixel size and CVA, adding into each tally given.
 * Returns each model's mask by card name (and AUTO's), for per-change figures.
 */
export async function scoreScene(
  models: readonly ChipModel[],
  scene: ScoredScene,
  tallies: readonly ChangeTally[],
): Promise<Map<string, Uint8Array>> {
  const bands = 3;
  const before = unitScaleDate(scene.before, bands, scene.sampleType);
  const after = unitScaleDate(scene.after, bands, scene.sampleType);
  const perScene = new Map<string, BinaryCounts>();
  const masks = new Map<string, Uint8Array>();
  const cva = changeVectorAnalysis(before, after, bands).mask;
  perScene.set(CVA, addMaskCounts(emptyCounts(), cva, scene.truth));
  for (const model of models) {
    const mask = await changeMask(model, before, after, scene.width, scene.height);
    masks.set(model.card.name, mask);
    perScene.set(model.card.name, addMaskCounts(emptyCounts(), mask, scene.truth));
  }
  const auto = models.length ? automaticChoice(models, scene.gsdM).card.name : null;
  if (auto) {
    perScene.set(AUTO, perScene.get(auto)!);
    masks.set(AUTO, masks.get(auto)!);
  }
  let changed = 0;
  for (const v of scene.truth) changed += v;
  for (const tally of tallies) {
    tally.scenes++;
    tally.pixels += scene.truth.length;
    tally.changed += changed;
    if (auto) tally.chosen.add(auto);
    for (const [key, c] of perScene) addCounts(tally, key, c);
  }
  return masks;
}

const fmt = (v: number) => v.toFixed(3);

/** Table rows: per group, one row per model (with its threshold), the automatic choice (naming its picks), CVA. */
export function changeRows(
  groups: readonly [string, ChangeTally][],
  models: readonly ChipModel[],
): string[][] {
  const rows = [
    ['dataset (val)', 'scenes', 'Mpx', 'changed', 'model (card threshold)', 'P', 'R', 'F1', 'IoU'],
  ];
  const keys = [...models.map((m) => m.card.name), ...(models.length ? [AUTO] : []), CVA];
  for (const [name, t] of groups) {
    keys.forEach((key, k) => {
      const label =
        key === AUTO
          ? `${AUTO}: ${[...t.chosen].join(' + ')}`
          : key === CVA
            ? `${CVA} (Otsu per scene)`
            : `${key} (${models.find((m) => m.card.name === key)!.card.threshold})`;
      const s = binaryScores(t.counts.get(key) ?? emptyCounts());
      rows.push([
        k === 0 ? name : '',
        k === 0 ? String(t.scenes) : '',
        k === 0 ? (t.pixels / 1e6).toFixed(2) : '',
        k === 0 ? `${((100 * t.changed) / t.pixels).toFixed(1)}%` : '',
        label,
        ...[s.precision, s.recall, s.f1, s.iou].map(fmt),
      ]);
    });
  }
  return rows;
}
