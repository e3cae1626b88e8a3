// A change map's accuracy assessment in the app's terms: two strata (the pixels inside the run's change regions,
// and every other valid pixel), the planner's reference label at each sample point (change / no change), and the
// estimates of Olofsson et al. (2014) (./olofsson.ts) with the changed area in square metres.
import { ChangeMapError } from '../errors';
import {
  RECOMMENDED_MINIMUM_PER_STRATUM,
  Z_95,
  assessAccuracy,
  type AccuracyAssessment,
  type Estimate,
} from './olofsson';

export const STRATA = ['changed', 'unchanged'] as const;
export type Stratum = (typeof STRATA)[number];

/** What the planner sees at a point: the reference label. */
export const REFERENCE_LABELS = ['change', 'no_change'] as const;
export type ReferenceLabel = (typeof REFERENCE_LABELS)[number];

/** The class each stratum maps to, and the estimator's class names, in STRATA order. */
const CLASS_OF: Record<Stratum, ReferenceLabel> = { changed: 'change', unchanged: 'no_change' };

/** How a sample is sized: the one home of its defaults. */
export interface SampleDesign {
  /** Standard error wanted for the overall accuracy (eq. 13 of the paper). */
  targetStandardError: number;
  /** User's accuracy expected before labelling, per stratum (the paper's example guesses 0.6-0.95). */
  expectedUsersAccuracy: Record<Stratum, number>;
  /** Fewest points in a stratum (raised to this when proportional allocation gives fewer). */
  minimumPerStratum: number;
}

export const DEFAULT_SAMPLE_DESIGN: SampleDesign = {
  // 0.02 rather than the paper's 0.01: about a quarter of the points (one or two hundred, an hour of labelling),
  // still enough to bound the changed area; a planner who needs more sets a smaller target.
  targetStandardError: 0.02,
  expectedUsersAccuracy: { changed: 0.7, unchanged: 0.95 },
  minimumPerStratum: RECOMMENDED_MINIMUM_PER_STRATUM,
};

export interface LabelledPoint {
  stratum: Stratum;
  label: ReferenceLabel | null;
}

/** Counts of labelled points: rows the map's stratum, columns the reference label. */
export type ChangeErrorMatrix = Record<Stratum, Record<ReferenceLabel, number>>;

export function changeErrorMatrix(points: readonly LabelledPoint[]): ChangeErrorMatrix {
  const m: ChangeErrorMatrix = {
    changed: { change: 0, no_change: 0 },
    unchanged: { change: 0, no_change: 0 },
  };
  for (const p of points) if (p.label) m[p.stratum][p.label]++;
  return m;
}

export interface ChangeAccuracy {
  matrix: ChangeErrorMatrix;
  overallAccuracy: Estimate;
  /** Of what the map calls change, the share that truly changed (and of "no change", truly unchanged). */
  usersAccuracy: Record<ReferenceLabel, Estimate | null>;
  /** Of what truly changed, the share the map found (and the same for unchanged). */
  producersAccuracy: Record<ReferenceLabel, Estimate | null>;
  /** Mapped and error-adjusted changed area: in m² where the pixel's ground size is known, else in pixels. */
  changedArea: { mapped: number; adjusted: Estimate; unit: 'm2' | 'px' };
  assessment: AccuracyAssessment;
}

/**
 * The accuracy of a change map from its labelled points and the sizes of its strata in pixels. m2PerPixel turns
 * pixels into square metres (null: areas stay in pixels). Throws ACCURACY_TOO_FEW_POINTS until every stratum has
 * two labelled points.
 */
export function assessChangeMap(
  points: readonly LabelledPoint[],
  strataPixels: Record<Stratum, number>,
  m2PerPixel: number | null,
): ChangeAccuracy {
  const matrix = changeErrorMatrix(points);
  if (strataPixels.changed + strataPixels.unchanged <= 0)
    throw new ChangeMapError('ACCURACY_NO_AREA', 'The sample has no area to assess.');
  const scale = m2PerPixel ?? 1;
  const assessment = assessAccuracy({
    classes: STRATA.map((s) => CLASS_OF[s]),
    counts: STRATA.map((s) => [matrix[s].change, matrix[s].no_change]),
    mappedArea: STRATA.map((s) => strataPixels[s] * scale),
  });
  const [change, noChange] = assessment.perClass;
  return {
    matrix,
    overallAccuracy: assessment.overallAccuracy,
    usersAccuracy: { change: change.usersAccuracy, no_change: noChange.usersAccuracy },
    producersAccuracy: { change: change.producersAccuracy, no_change: noChange.producersAccuracy },
    changedArea: { mapped: change.mappedArea, adjusted: change.area, unit: m2PerPixel ? 'm2' : 'px' },
    assessment,
  };
}

export interface DomainPoint extends LabelledPoint {
  /** Whether the point lies in the domain (a district, a parcel). */
  inDomain: boolean;
}

/**
 * The truly changed area inside a domain (a district) from the project's stratified sample: the stratified
 * estimator of a total (Cochran 1977, 5.A; the form of Olofsson et al. 2014 eq. 10 with y = "in the domain and
 * truly changed"), Σ_h N_h ȳ_h with variance Σ_h N_h² ȳ_h (1 − ȳ_h) / (n_h − 1), over labelled points only.
 * Over the whole map it is the error-adjusted changed area of assessChangeMap. Null with a reason where the sample
 * does not allow it: fewer than two labelled points of a stratum inside the domain.
 */
export function domainChangedArea(
  points: readonly DomainPoint[],
  strataPixels: Record<Stratum, number>,
  m2PerPixel: number | null,
):
  | { estimate: Estimate; labelledInDomain: number }
  | { estimate: null; labelledInDomain: number; reason: string } {
  const scale = m2PerPixel ?? 1;
  let value = 0;
  let variance = 0;
  let labelledInDomain = 0;
  for (const stratum of STRATA) {
    const labelled = points.filter((p) => p.stratum === stratum && p.label !== null);
    const inDomain = labelled.filter((p) => p.inDomain);
    labelledInDomain += inDomain.length;
    if (strataPixels[stratum] > 0 && inDomain.length < 2)
      return {
        estimate: null,
        labelledInDomain,
        reason: `too few labelled ${stratum} points here (${inDomain.length}; at least two are needed)`,
      };
    const n = labelled.length;
    const y = inDomain.filter((p) => p.label === 'change').length / n;
    const N = strataPixels[stratum] * scale;
    value += N * y;
    variance += (N * N * y * (1 - y)) / (n - 1);
  }
  const standardError = Math.sqrt(variance);
  return {
    estimate: { value, standardError, ci95: [value - Z_95 * standardError, value + Z_95 * standardError] },
    labelledInDomain,
  };
}
