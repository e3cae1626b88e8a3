// Automatic choice of the change model for a run, from the imagery's pixel size and the models' cards.
// Pure: the run service, the run panel's preview (models:choose) and `npm run eval` all call this one function.
import { ChangeMapError } from '../errors';
import type { ChangeModelCard, ModelCard } from './modelCard';

export interface ChangeModelChoice<C extends ChangeModelCard = ChangeModelCard> {
  /** The chosen model's name (card.name), as run:start and the command line accept it. */
  modelId: string;
  /** The chosen card itself (the same object that was passed in), so callers can map it back to its file. */
  card: C;
  /** One sentence a planner understands: why this model for this imagery. */
  reason: string;
  /** One sentence each, e.g. imagery outside every model's ground sampling range; empty when all is well. */
  warnings: string[];
}

/** "0.5 m", "10 m", "0.25 m": at most two significant digits, no trailing zeros. */
export function formatGsd(metres: number): string {
  return `${Number(metres.toPrecision(2))} m`;
}

function rangeText([lo, hi]: readonly [number, number]): string {
  return `${Number(lo.toPrecision(2))}–${formatGsd(hi)}`;
}

/** The pixel sizes where a model is the best choice: its preferredGsdM, clipped to gsdRangeM; else gsdRangeM. */
export function preferredRange(card: ChangeModelCard): [number, number] {
  const [lo, hi] = card.gsdRangeM;
  const preferred = card.preferredGsdM;
  if (!preferred) return [lo, hi];
  const pLo = Math.max(lo, Math.min(preferred[0], preferred[1]));
  const pHi = Math.min(hi, Math.max(preferred[0], preferred[1]));
  return pLo <= pHi ? [pLo, pHi] : [lo, hi];
}

// Ranges compare on a log scale: 0.5 m vs 1 m is as far apart as 10 m vs 20 m. A relative tolerance keeps a
// pixel size read as 0.4999999 m inside a range that starts at 0.5 m.
const TOLERANCE = 1e-6;

function contains([lo, hi]: readonly [number, number], p: number): boolean {
  return p >= lo * (1 - TOLERANCE) && p <= hi * (1 + TOLERANCE);
}

/** How many factors of e the pixel size lies outside a range (0 inside). */
function logDistance([lo, hi]: readonly [number, number], p: number): number {
  if (contains([lo, hi], p)) return 0;
  return p < lo ? Math.log(lo / p) : Math.log(p / hi);
}

function logSpan([lo, hi]: readonly [number, number]): number {
  return Math.log(hi / lo);
}

/** Newer versions first ("1.10.0" after "1.9.0"). */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function best<C>(items: readonly C[], compare: (a: C, b: C) => number): C {
  return items.reduce((winner, item) => (compare(item, winner) < 0 ? item : winner));
}

/** Later version first, then the order the cards came in (shipped models first). */
function byVersion(a: ChangeModelCard, b: ChangeModelCard): number {
  return -compareVersions(a.version, b.version);
}

/** "; it detects new and demolished buildings", or nothing for a card that does not say. */
function detectsClause(card: ChangeModelCard): string {
  return card.detects ? `; it detects ${card.detects}` : '';
}

/**
 * The warning for imagery outside a model's ground sampling range (null inside it, or when the pixel size is
 * unknown). Used for the automatic choice and for a model the user picked.
 */
export function gsdRangeWarning(
  card: Pick<ChangeModelCard, 'name' | 'gsdRangeM'>,
  pixelSizeM: number | null,
): string | null {
  if (pixelSizeM === null || !(pixelSizeM > 0) || contains(card.gsdRangeM, pixelSizeM)) return null;
  const side = pixelSizeM > card.gsdRangeM[1] ? 'coarser' : 'finer';
  return `Imagery at ${formatGsd(pixelSizeM)} is ${side} than the ground sampling range of ${card.name} (${rangeText(card.gsdRangeM)}); expect missed and false changes.`;
}

/**
 * Picks the change model for imagery of the given pixel size (metres; null when unknown, e.g. no georeference).
 *
 * 1. Models whose preferred range (card.preferredGsdM, else gsdRangeM) holds the pixel size: the most specialised
 *    one (narrowest preferred range on a log scale) wins, so a building model made for 0.3–1 m beats a general
 *    0.5–20 m model at 0.5 m, and the general model takes over where the specialist is not at home.
 * 2. Else models whose ground sampling range holds it: the one whose preferred range is nearest.
 * 3. Else (imagery outside every range) the model whose range is nearest, with a warning.
 * Unknown pixel size: the model with the widest range, with a warning. Ties go to the later version, then to the
 * earlier card in the list. Cards of other tasks are ignored.
 */
export function chooseChangeModel<C extends ModelCard>(
  cards: readonly C[],
  pixelSizeM: number | null,
): ChangeModelChoice<Extract<C, ChangeModelCard>> {
  const change = cards.filter((c): c is Extract<C, ChangeModelCard> => c.task === 'change-detection');
  if (change.length === 0)
    throw new ChangeMapError(
      'MODEL_NONE_FOR_CHANGE',
      'No change-detection model is installed; add one with its model card, or reinstall ChangeMap to restore the shipped models.',
    );
  type Card = Extract<C, ChangeModelCard>;
  const choice = (card: Card, reason: string, warnings: string[] = []) => ({
    modelId: card.name,
    card,
    reason,
    warnings,
  });

  if (pixelSizeM === null || !(pixelSizeM > 0) || !Number.isFinite(pixelSizeM)) {
    const widest = best(change, (a, b) => logSpan(b.gsdRangeM) - logSpan(a.gsdRangeM) || byVersion(a, b));
    return choice(
      widest,
      `The imagery's pixel size is unknown (no georeference), so ${widest.name} is used: it covers the widest range of pixel sizes (${rangeText(widest.gsdRangeM)})${detectsClause(widest)}.`,
      [
        "The imagery's pixel size is unknown, so the model could not be matched to it; check the result or pick the model yourself.",
      ],
    );
  }
  const p = pixelSizeM;

  const preferred = change.filter((c) => contains(preferredRange(c), p));
  if (preferred.length > 0) {
    const pick = best(
      preferred,
      (a, b) => logSpan(preferredRange(a)) - logSpan(preferredRange(b)) || byVersion(a, b),
    );
    return choice(
      pick,
      `Imagery at ${formatGsd(p)} suits ${pick.name}, made for ${rangeText(preferredRange(pick))} pixels${detectsClause(pick)}.`,
    );
  }

  const inRange = change.filter((c) => contains(c.gsdRangeM, p));
  if (inRange.length > 0) {
    const pick = best(
      inRange,
      (a, b) => logDistance(preferredRange(a), p) - logDistance(preferredRange(b), p) || byVersion(a, b),
    );
    return choice(
      pick,
      `Imagery at ${formatGsd(p)} is within the range ${pick.name} was trained for (${rangeText(pick.gsdRangeM)})${detectsClause(pick)}.`,
    );
  }

  const nearest = best(
    change,
    (a, b) => logDistance(a.gsdRangeM, p) - logDistance(b.gsdRangeM, p) || byVersion(a, b),
  );
  const side = p > nearest.gsdRangeM[1] ? 'coarser' : 'finer';
  return choice(
    nearest,
    `Imagery at ${formatGsd(p)} is ${side} than any model was trained for; ${nearest.name} is the closest (${rangeText(nearest.gsdRangeM)})${detectsClause(nearest)}.`,
    [
      `Imagery at ${formatGsd(p)} is outside every model's ground sampling range (closest: ${nearest.name}, ${rangeText(nearest.gsdRangeM)}); expect missed and false changes.`,
    ],
  );
}

/** The model name that asks for the automatic choice (run:start's and the command line's default). */
export const AUTO_MODEL = 'auto';
