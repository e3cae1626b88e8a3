import { describe, expect, it } from 'vitest';
import { assessChangeMap, domainChangedArea, type DomainPoint } from './changeAccuracy';

const strata = { changed: 2_000, unchanged: 98_000 };

/** 40 changed points (34 truly change), 60 unchanged (3 truly change); domain membership by a rule. */
function sample(inDomain: (i: number) => boolean): DomainPoint[] {
  const points: DomainPoint[] = [];
  for (let i = 0; i < 40; i++)
    points.push({ stratum: 'changed', label: i < 34 ? 'change' : 'no_change', inDomain: inDomain(i) });
  for (let i = 0; i < 60; i++)
    points.push({ stratum: 'unchanged', label: i < 3 ? 'change' : 'no_change', inDomain: inDomain(100 + i) });
  return points;
}

describe('domainChangedArea', () => {
  it('over the whole map equals the error-adjusted changed area (Olofsson et al. 2014, eq. 10-12)', () => {
    const all = sample(() => true);
    const whole = assessChangeMap(all, strata, 4).changedArea.adjusted;
    const domain = domainChangedArea(all, strata, 4);
    expect(domain.estimate!.value).toBeCloseTo(whole.value, 6);
    expect(domain.estimate!.standardError).toBeCloseTo(whole.standardError, 6);
  });

  it('splits the area between two domains that cover the map, their estimates adding up to the whole', () => {
    const left = domainChangedArea(
      sample((i) => i % 2 === 0),
      strata,
      4,
    ).estimate!;
    const right = domainChangedArea(
      sample((i) => i % 2 === 1),
      strata,
      4,
    ).estimate!;
    const whole = domainChangedArea(
      sample(() => true),
      strata,
      4,
    ).estimate!;
    expect(left.value + right.value).toBeCloseTo(whole.value, 6);
    expect(left.value).toBeGreaterThan(0);
  });

  it('says why where the sample does not allow an estimate', () => {
    const r = domainChangedArea(
      sample((i) => i === 0 || i === 1 || i === 100),
      strata,
      4,
    );
    expect(r.estimate).toBeNull();
    expect('reason' in r && r.reason).toMatch(
      /too few labelled unchanged points here \(1; at least two are needed\)/,
    );
  });
});
