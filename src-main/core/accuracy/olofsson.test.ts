import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RECOMMENDED_MINIMUM_PER_STRATUM,
  allocateSample,
  assessAccuracy,
  sampleSizeForTargetError,
  type StratifiedSample,
} from './olofsson';

// Olofsson et al. (2014), section 5 and Table 8: 640 points over a Landsat change map of 10 million 30 m pixels.
// Rows are the map classes (strata), columns the reference labels.
const CLASSES = ['deforestation', 'forest gain', 'stable forest', 'stable non-forest'];
const PAPER: StratifiedSample = {
  classes: CLASSES,
  counts: [
    [66, 0, 5, 4],
    [0, 55, 8, 12],
    [1, 0, 153, 11],
    [2, 1, 9, 313],
  ],
  // Mapped pixels × 0.09 ha per 30 m pixel: areas in hectares, as the paper reports them.
  mappedArea: [200_000, 150_000, 3_200_000, 6_450_000].map((px) => px * 0.09),
};

const halfWidth = (e: { ci95: [number, number] }) => (e.ci95[1] - e.ci95[0]) / 2;

describe('Olofsson et al. (2014) worked example', () => {
  const result = assessAccuracy(PAPER);
  const byClass = Object.fromEntries(result.perClass.map((c) => [c.class, c]));

  it('gives the published error-adjusted areas and their 95% intervals (ha)', () => {
    // The paper: deforestation 21,158 ± 6,158 ha; forest gain 11,686 ± 3,756; stable forest 285,770 ± 15,510;
    // stable non-forest 581,386 ± 16,282 (mapped: 18,000 / 13,500 / 288,000 / 580,500 ha).
    const published: [string, number, number][] = [
      ['deforestation', 21_158, 6_158],
      ['forest gain', 11_686, 3_756],
      ['stable forest', 285_770, 15_510],
      ['stable non-forest', 581_386, 16_282],
    ];
    for (const [name, area, ci] of published) {
      expect(Math.round(byClass[name].area.value), name).toBe(area);
      expect(Math.round(halfWidth(byClass[name].area)), name).toBe(ci);
    }
    // Error-adjusted areas add up to the mapped total: the estimator moves area between classes.
    const sum = result.perClass.reduce((s, c) => s + c.area.value, 0);
    expect(sum).toBeCloseTo(900_000, 6);
  });

  it('gives the published accuracies with their intervals', () => {
    expect(result.overallAccuracy.value).toBeCloseTo(0.95, 2);
    expect(halfWidth(result.overallAccuracy)).toBeCloseTo(0.02, 2);
    const users = [0.88, 0.73, 0.93, 0.96];
    const usersCi = [0.07, 0.1, 0.04, 0.02];
    CLASSES.forEach((name, i) => {
      expect(byClass[name].usersAccuracy!.value, name).toBeCloseTo(users[i], 2);
      expect(halfWidth(byClass[name].usersAccuracy!), name).toBeCloseTo(usersCi[i], 2);
    });
    const producers = [0.75, 0.85, 0.93, 0.96];
    CLASSES.forEach((name, i) =>
      expect(byClass[name].producersAccuracy!.value, name).toBeCloseTo(producers[i], 2),
    );
    expect(halfWidth(byClass.deforestation.producersAccuracy!)).toBeCloseTo(0.21, 2);
  });

  it('gives the paper’s sample size of about 641 for a standard error of 0.01 (eq. 13)', () => {
    const n = sampleSizeForTargetError({
      weights: [0.02, 0.015, 0.32, 0.645],
      expectedUsersAccuracy: [0.7, 0.6, 0.9, 0.95],
      targetStandardError: 0.01,
    });
    expect(n).toBe(641);
  });
});

/** A sample from a map that is never wrong: every point's reference is its map class. */
const perfectSample = fc
  .record({
    q: fc.integer({ min: 2, max: 5 }),
    seed: fc.array(fc.tuple(fc.integer({ min: 2, max: 300 }), fc.double({ min: 1, max: 1e9, noNaN: true })), {
      minLength: 5,
      maxLength: 5,
    }),
  })
  .map(({ q, seed }): StratifiedSample => {
    const strata = seed.slice(0, q);
    return {
      classes: strata.map((_, i) => `class ${i}`),
      counts: strata.map(([n], i) => strata.map((_, j) => (i === j ? n : 0))),
      mappedArea: strata.map(([, area]) => area),
    };
  });

describe('estimator properties', () => {
  it('a perfect map: 100% accuracy, adjusted area equal to mapped area, intervals of zero width', () => {
    fc.assert(
      fc.property(perfectSample, (sample) => {
        const r = assessAccuracy(sample);
        expect(r.overallAccuracy.value).toBeCloseTo(1, 12);
        expect(r.overallAccuracy.standardError).toBe(0);
        for (const c of r.perClass) {
          expect(c.usersAccuracy!.value).toBe(1);
          expect(c.producersAccuracy!.value).toBeCloseTo(1, 12);
          expect(c.area.value / c.mappedArea).toBeCloseTo(1, 9);
          expect(c.area.standardError).toBeLessThan(1e-6 * c.mappedArea);
          expect(c.usersAccuracy!.ci95[1] - c.usersAccuracy!.ci95[0]).toBe(0);
        }
      }),
    );
  });

  it('estimates stay in range and areas always add up to the mapped total', () => {
    const counts = fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 2 }), {
      minLength: 2,
      maxLength: 2,
    });
    fc.assert(
      fc.property(counts, fc.double({ min: 0.001, max: 0.999, noNaN: true }), (m, changedShare) => {
        fc.pre(m.every((row) => row[0] + row[1] >= 2));
        const r = assessAccuracy({
          classes: ['change', 'no change'],
          counts: m,
          mappedArea: [changedShare, 1 - changedShare],
        });
        expect(r.overallAccuracy.value).toBeGreaterThanOrEqual(0);
        expect(r.overallAccuracy.value).toBeLessThanOrEqual(1 + 1e-12);
        expect(r.perClass[0].area.value + r.perClass[1].area.value).toBeCloseTo(1, 9);
        // Two classes: the uncertainty of one class's area is the other's.
        expect(r.perClass[0].area.standardError).toBeCloseTo(r.perClass[1].area.standardError, 12);
      }),
    );
  });

  it('refuses a stratum with fewer than two labelled points, naming it', () => {
    expect(() =>
      assessAccuracy({
        classes: ['change', 'no change'],
        counts: [
          [1, 0],
          [3, 40],
        ],
        mappedArea: [5, 95],
      }),
    ).toThrow(/"change" stratum has 1 labelled point; label at least two/);
  });

  it('a larger sample narrows the interval', () => {
    const small = assessAccuracy({
      classes: ['c', 'n'],
      counts: [
        [8, 2],
        [1, 9],
      ],
      mappedArea: [10, 90],
    });
    const large = assessAccuracy({
      classes: ['c', 'n'],
      counts: [
        [80, 20],
        [10, 90],
      ],
      mappedArea: [10, 90],
    });
    expect(large.perClass[0].area.value).toBeCloseTo(small.perClass[0].area.value, 9);
    expect(large.perClass[0].area.standardError).toBeLessThan(small.perClass[0].area.standardError / 3);
  });
});

describe('sample size and allocation', () => {
  it('a smaller target standard error needs more points (n grows as 1/SE²)', () => {
    const base = { weights: [0.05, 0.95], expectedUsersAccuracy: [0.8, 0.95] };
    const a = sampleSizeForTargetError({ ...base, targetStandardError: 0.02 });
    const b = sampleSizeForTargetError({ ...base, targetStandardError: 0.01 });
    expect(b / a).toBeCloseTo(4, 1);
    expect(() => sampleSizeForTargetError({ ...base, targetStandardError: 0 })).toThrow(/between 0 and 1/);
  });

  it('allocates in proportion to area, raising a rare stratum to the minimum and keeping the total', () => {
    const counts = allocateSample(300, [2_000, 98_000]);
    expect(counts[0]).toBe(RECOMMENDED_MINIMUM_PER_STRATUM);
    expect(counts[0] + counts[1]).toBe(300);
    expect(allocateSample(1000, [50_000, 50_000])).toEqual([500, 500]);
    // Never more points than units, never points in an empty stratum.
    expect(allocateSample(100, [10, 1000])).toEqual([10, 90]);
    expect(allocateSample(100, [0, 1000])).toEqual([0, 100]);
  });
});
