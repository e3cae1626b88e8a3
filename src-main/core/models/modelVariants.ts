// Which file of a model a run uses: the full-precision one, or a reduced-precision variant from the card's
// `variants` (int8, fp16) that keeps accuracy and is faster on this machine. Accuracy is judged from the figures
// recorded in the card (npm run eval -- --variants --record), speed from a measurement on the machine at hand
// (services/inference/variantCalibration.ts); nothing here assumes int8 is faster.
import type { ModelCard, ModelVariant } from './modelCard';

/** A variant may lose at most this much of any headline metric on any dataset (issue 15). */
export const VARIANT_ACCURACY_TOLERANCE = 0.01;

/**
 * A variant replaces the full-precision file only when measured at least this much faster: timing noise of a
 * second-long measurement must not swap files for nothing.
 */
export const VARIANT_MIN_SPEEDUP = 1.05;

/** The metrics the bar applies to, per task: F1 per change dataset; top-1 and planner-class accuracy for land cover. */
export const HEADLINE_METRICS: Record<ModelCard['task'], readonly string[]> = {
  'change-detection': ['f1'],
  'land-cover-classification': ['top1', 'landCoverAccuracy'],
};

export interface VariantVerdict {
  keepsAccuracy: boolean;
  /** Why, in one sentence (shown in bench output and logs). */
  reason: string;
}

/**
 * Whether a variant's recorded accuracy is within VARIANT_ACCURACY_TOLERANCE of the full-precision file's on every
 * dataset and headline metric. A variant without figures, or missing a dataset or metric, fails.
 */
export function variantVerdict(task: ModelCard['task'], variant: ModelVariant): VariantVerdict {
  const own = variant.accuracy;
  const full = variant.fullPrecisionAccuracy;
  if (!own || !full || Object.keys(full).length === 0) {
    return { keepsAccuracy: false, reason: `${variant.file} has no recorded accuracy` };
  }
  let worst: { dataset: string; metric: string; drop: number } | null = null;
  for (const [dataset, metrics] of Object.entries(full)) {
    for (const metric of HEADLINE_METRICS[task]) {
      if (metrics[metric] === undefined) continue;
      const value = own[dataset]?.[metric];
      const drop = value === undefined ? Infinity : metrics[metric] - value;
      if (!worst || drop > worst.drop) worst = { dataset, metric, drop };
    }
  }
  if (!worst) return { keepsAccuracy: false, reason: `${variant.file} records no headline metric` };
  const figure = Number.isFinite(worst.drop) ? worst.drop.toFixed(4) : 'missing';
  return worst.drop <= VARIANT_ACCURACY_TOLERANCE
    ? {
        keepsAccuracy: true,
        reason: `${variant.file} keeps accuracy (largest loss ${figure} ${worst.metric} on ${worst.dataset})`,
      }
    : {
        keepsAccuracy: false,
        reason: `${variant.file} loses ${figure} ${worst.metric} on ${worst.dataset} (bar ${VARIANT_ACCURACY_TOLERANCE})`,
      };
}

/** The variants a run may use: those whose recorded accuracy keeps the bar (optionally of one precision only). */
export function eligibleVariants(card: ModelCard): ModelVariant[] {
  return (card.variants ?? []).filter((v) => variantVerdict(card.task, v).keepsAccuracy);
}

export interface FileChoice {
  /** The card's file or an eligible variant's file (relative to the card). */
  file: string;
  precision: 'full' | ModelVariant['precision'];
  reason: string;
}

/**
 * The file to run, from measured speeds (work per second, by file name; higher is faster) of the full-precision
 * file and the eligible variants. An unmeasured variant is never chosen; one must beat the full-precision file by
 * VARIANT_MIN_SPEEDUP. Without a measurement of the full-precision file, it stays.
 */
export function chooseModelFile(card: ModelCard, measured: Readonly<Record<string, number>>): FileChoice {
  const fullRate = measured[card.file];
  const full: FileChoice = { file: card.file, precision: 'full', reason: 'full precision' };
  if (!(fullRate > 0)) return full;
  let best: FileChoice = {
    ...full,
    reason: 'full precision: no variant keeps accuracy and runs faster here',
  };
  let bestRate = fullRate * VARIANT_MIN_SPEEDUP;
  for (const variant of eligibleVariants(card)) {
    const rate = measured[variant.file];
    if (rate > 0 && rate >= bestRate) {
      best = {
        file: variant.file,
        precision: variant.precision,
        reason: `${variant.precision} variant: ${(rate / fullRate).toFixed(2)}x the full-precision speed here, accuracy within ${VARIANT_ACCURACY_TOLERANCE}`,
      };
      bestRate = rate;
    }
  }
  return best;
}
