// Accuracy and error-adjusted area from a stratified random sample whose strata are the map classes, by the
// estimators of Olofsson, P., Foody, G. M., Herold, M., Stehman, S. V., Woodcock, C. E. and Wulder, M. A. (2014),
// "Good practices for estimating area and assessing accuracy of land change", Remote Sensing of Environment 148:
// 42-57 (doi:10.1016/j.rse.2014.02.015). Equation numbers below are the paper's. Pure arithmetic: the sample's
// error matrix of counts and each map class's mapped area in, estimates with standard errors and 95% intervals out.
import { ChangeMapError } from '../errors';

/** z for a two-sided 95% interval, as the paper uses (estimate ± 1.96 × standard error). */
export const Z_95 = 1.96;

export interface StratifiedSample {
  /** The map classes, which are also the strata. */
  classes: readonly string[];
  /** counts[i][j]: sample points mapped as class i (stratum i) whose reference label is class j. */
  counts: readonly (readonly number[])[];
  /** Mapped area of each class (A_m,i), in any unit (pixels, m²); estimated areas come out in that unit. */
  mappedArea: readonly number[];
}

export interface Estimate {
  value: number;
  standardError: number;
  /** value ± 1.96 × standard error (Wald interval, not clipped). */
  ci95: [number, number];
}

export interface ClassEstimates {
  class: string;
  /** Û_i (eq. 2): of the area mapped as this class, the share that truly is; null for a stratum without points. */
  usersAccuracy: Estimate | null;
  /** P̂_j (eq. 3): of the area truly this class, the share mapped as it; null when no point is truly it. */
  producersAccuracy: Estimate | null;
  /** p̂_·k (eq. 9, 10): estimated share of the whole area that truly is this class. */
  areaProportion: Estimate;
  /** Â_k (eq. 11, 12): the error-adjusted area of this class, in the unit of mappedArea. */
  area: Estimate;
  mappedArea: number;
}

export interface AccuracyAssessment {
  classes: string[];
  /** Points per stratum (n_i·). */
  sampleSizes: number[];
  /** p̂_ij (eq. 4): the error matrix as estimated shares of the whole area; rows map, columns reference. */
  areaProportions: number[][];
  /** Ô (eq. 1, 5). */
  overallAccuracy: Estimate;
  perClass: ClassEstimates[];
  totalArea: number;
}

function estimate(value: number, variance: number): Estimate {
  const standardError = Math.sqrt(Math.max(0, variance));
  return { value, standardError, ci95: [value - Z_95 * standardError, value + Z_95 * standardError] };
}

function checkSample(sample: StratifiedSample): void {
  const q = sample.classes.length;
  const fail = (message: string) => {
    throw new ChangeMapError('ACCURACY_BAD_SAMPLE', message);
  };
  if (q < 2) fail('An accuracy assessment needs at least two classes.');
  if (sample.counts.length !== q || sample.counts.some((row) => row.length !== q))
    fail(`The error matrix must be ${q} by ${q}, one row and one column per class.`);
  if (sample.mappedArea.length !== q) fail(`Give one mapped area per class (${q}).`);
  if (sample.mappedArea.some((a) => !Number.isFinite(a) || a < 0))
    fail('Mapped areas must be finite and not negative.');
  if (sample.counts.some((row) => row.some((n) => !Number.isInteger(n) || n < 0)))
    fail('Error matrix counts must be whole numbers, not negative.');
  if (!(sample.mappedArea.reduce((s, a) => s + a, 0) > 0)) fail('The mapped areas add up to nothing.');
  sample.counts.forEach((row, i) => {
    const n = row.reduce((s, v) => s + v, 0);
    if (sample.mappedArea[i] > 0 && n < 2)
      throw new ChangeMapError(
        'ACCURACY_TOO_FEW_POINTS',
        `The "${sample.classes[i]}" stratum has ${n} labelled point${n === 1 ? '' : 's'}; label at least two in every stratum to estimate accuracy.`,
      );
  });
}

/** The estimates of Olofsson et al. (2014), section 5, for a stratified random sample whose strata are the map classes. */
export function assessAccuracy(sample: StratifiedSample): AccuracyAssessment {
  checkSample(sample);
  const q = sample.classes.length;
  const totalArea = sample.mappedArea.reduce((s, a) => s + a, 0);
  const W = sample.mappedArea.map((a) => a / totalArea);
  const n = sample.counts.map((row) => row.reduce((s, v) => s + v, 0));
  // Share of stratum i's points with reference j; a stratum without area (and so without points) adds nothing.
  const share = (i: number, j: number) => (n[i] > 0 ? sample.counts[i][j] / n[i] : 0);
  // Eq. 4: p̂_ij = W_i n_ij / n_i·
  const p = sample.counts.map((row, i) => row.map((_, j) => W[i] * share(i, j)));
  const colSum = (j: number) => p.reduce((s, row) => s + row[j], 0);

  // Eq. 2 and 6: Û_i = p̂_ii / p̂_i· = n_ii / n_i·, V̂(Û_i) = Û_i (1 − Û_i) / (n_i· − 1)
  const users = n.map((ni, i) => (ni >= 2 ? share(i, i) : null));
  const usersVariance = (i: number) => (users[i]! * (1 - users[i]!)) / (n[i] - 1);

  // Eq. 1 and 5: Ô = Σ p̂_jj, V̂(Ô) = Σ W_i² Û_i (1 − Û_i) / (n_i· − 1)
  let overall = 0;
  let overallVariance = 0;
  for (let i = 0; i < q; i++) {
    overall += p[i][i];
    if (users[i] !== null) overallVariance += W[i] ** 2 * usersVariance(i);
  }

  const perClass = sample.classes.map((name, k): ClassEstimates => {
    // Eq. 9 and 10: p̂_·k = Σ_i W_i n_ik / n_i·, V̂(p̂_·k) = Σ_i (W_i p̂_ik − p̂_ik²) / (n_i· − 1)
    const proportion = colSum(k);
    let proportionVariance = 0;
    for (let i = 0; i < q; i++)
      if (n[i] >= 2) proportionVariance += (W[i] * p[i][k] - p[i][k] ** 2) / (n[i] - 1);

    // Eq. 3 and 7: P̂_j = p̂_jj / p̂_·j, with N̂_·j = Σ_i N_i· n_ij / n_i· the estimated true area of class j.
    let producers: Estimate | null = null;
    if (proportion > 0 && users[k] !== null) {
      const P = p[k][k] / proportion;
      const Nj = sample.mappedArea;
      const trueArea = proportion * totalArea;
      let others = 0;
      for (let i = 0; i < q; i++) {
        if (i === k || n[i] < 2) continue;
        const s = share(i, k);
        others += (Nj[i] ** 2 * s * (1 - s)) / (n[i] - 1);
      }
      const variance = (Nj[k] ** 2 * (1 - P) ** 2 * usersVariance(k) + P ** 2 * others) / trueArea ** 2;
      producers = estimate(P, variance);
    }
    // Eq. 11 and 12: Â_k = A p̂_·k, S(Â_k) = A S(p̂_·k)
    const area = estimate(proportion * totalArea, proportionVariance * totalArea ** 2);
    return {
      class: name,
      usersAccuracy: users[k] === null ? null : estimate(users[k]!, usersVariance(k)),
      producersAccuracy: producers,
      areaProportion: estimate(proportion, proportionVariance),
      area,
      mappedArea: sample.mappedArea[k],
    };
  });

  return {
    classes: [...sample.classes],
    sampleSizes: n,
    areaProportions: p,
    overallAccuracy: estimate(overall, overallVariance),
    perClass,
    totalArea,
  };
}

export interface SampleSizeInput {
  /** Each stratum's share of the area (W_i); they need not add up to exactly 1. */
  weights: readonly number[];
  /** The user's accuracy expected of each class (U_i), a guess before any point is labelled. */
  expectedUsersAccuracy: readonly number[];
  /** The standard error wanted for the overall accuracy, S(Ô), e.g. 0.01. */
  targetStandardError: number;
  /** Units in the population (pixels); left out, the population is taken as infinite. */
  populationUnits?: number;
}

/**
 * Eq. 13 (Cochran 1977, eq. 5.25): the sample size that gives the overall accuracy the target standard error,
 * n = (Σ W_i S_i)² / (S(Ô)² + (1/N) Σ W_i S_i²) with S_i = √(U_i (1 − U_i)).
 */
export function sampleSizeForTargetError(input: SampleSizeInput): number {
  const { weights, expectedUsersAccuracy: U, targetStandardError: se } = input;
  if (weights.length !== U.length || weights.length === 0)
    throw new ChangeMapError('ACCURACY_BAD_SAMPLE', 'Give one expected user’s accuracy per stratum.');
  if (!(se > 0 && se < 1))
    throw new ChangeMapError(
      'ACCURACY_BAD_TARGET',
      'The target standard error must lie between 0 and 1 (for instance 0.01).',
    );
  if (U.some((u) => !(u >= 0 && u <= 1)))
    throw new ChangeMapError('ACCURACY_BAD_TARGET', 'Expected user’s accuracies must lie between 0 and 1.');
  const sum = weights.reduce((s, w) => s + w, 0);
  const W = weights.map((w) => w / sum);
  const S = U.map((u) => Math.sqrt(u * (1 - u)));
  const numerator = W.reduce((s, w, i) => s + w * S[i], 0) ** 2;
  const finite = input.populationUnits
    ? W.reduce((s, w, i) => s + w * S[i] ** 2, 0) / input.populationUnits
    : 0;
  return Math.max(1, Math.ceil(numerator / (se ** 2 + finite)));
}

/** The paper's advice for rare classes (section 5.1.3): 50 to 100 points each; we take the lower end. */
export const RECOMMENDED_MINIMUM_PER_STRATUM = 50;

/**
 * Splits a total over the strata in proportion to their area, then raises each small stratum to the minimum
 * (taken from the largest), as the paper's example does for its rare change classes. A stratum with no area gets
 * no points; a stratum with fewer units than its share gets all of them.
 */
export function allocateSample(
  total: number,
  strataUnits: readonly number[],
  minimumPerStratum = RECOMMENDED_MINIMUM_PER_STRATUM,
): number[] {
  const areaSum = strataUnits.reduce((s, a) => s + a, 0);
  if (!(areaSum > 0)) throw new ChangeMapError('ACCURACY_NO_AREA', 'There is no area to sample.');
  const live = strataUnits.map((a) => a > 0);
  const floor = strataUnits.map((a) => (a > 0 ? Math.min(a, minimumPerStratum) : 0));
  let counts = strataUnits.map((a) => Math.round((total * a) / areaSum));
  counts = counts.map((c, i) => (live[i] ? Math.max(c, floor[i]) : 0));
  // Give back what the minimums took, from the strata above their minimum, largest first.
  let excess =
    counts.reduce((s, c) => s + c, 0) -
    Math.max(
      total,
      floor.reduce((s, f) => s + f, 0),
    );
  const order = counts.map((_, i) => i).sort((a, b) => counts[b] - counts[a]);
  for (const i of order) {
    if (excess <= 0) break;
    const take = Math.min(excess, counts[i] - floor[i]);
    counts[i] -= take;
    excess -= take;
  }
  return counts.map((c, i) => Math.min(c, Math.floor(strataUnits[i])));
}
