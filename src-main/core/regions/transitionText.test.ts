import { describe, expect, it } from 'vitest';
import { describeTransition, describeTransitionKey, isWithinClass } from './transitionText';

describe('transition wording', () => {
  it('reads the same class on both dates as change within it', () => {
    expect(describeTransition('residential', 'residential')).toBe('change within residential');
    expect(describeTransitionKey('forest -> forest')).toBe('change within forest');
  });

  it('keeps real transitions, uncertain pairs and unclassified regions apart', () => {
    expect(describeTransition('forest', 'bare/construction')).toBe('forest → bare/construction');
    expect(isWithinClass('uncertain', 'uncertain')).toBe(false);
    expect(describeTransition('uncertain', 'uncertain')).toBe('uncertain → uncertain');
    expect(describeTransition(null, 'water')).toBe('unclassified');
    expect(describeTransitionKey('not a key')).toBe('not a key');
  });
});
