import { describe, expect, it } from 'vitest';
import { describeTransition, describeTransitionKey, isWithinClass, UNCERTAIN_LABEL } from './format';

describe('how a region reads', () => {
  it('reads the same class on both dates as change within that class, not as a transition', () => {
    expect(describeTransition('residential', 'residential')).toBe('change within residential');
    expect(isWithinClass('water', 'water')).toBe(true);
    expect(describeTransitionKey('cropland -> cropland')).toBe('change within cropland');
  });

  it('keeps real transitions and uncertain sides as transitions', () => {
    expect(describeTransition('cropland', 'residential')).toBe('cropland → residential');
    expect(describeTransition(UNCERTAIN_LABEL, UNCERTAIN_LABEL)).toBe('uncertain → uncertain');
    expect(isWithinClass(UNCERTAIN_LABEL, UNCERTAIN_LABEL)).toBe(false);
    expect(describeTransitionKey('forest -> uncertain')).toBe('forest → uncertain');
  });

  it('says unclassified before classification and leaves other text alone', () => {
    expect(describeTransition(null, 'forest')).toBe('unclassified');
    expect(isWithinClass(null, null)).toBe(false);
    expect(describeTransitionKey('unclassified')).toBe('unclassified');
  });
});
