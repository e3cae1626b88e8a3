// How a planner reads a region's land cover before and after: one wording for the app, the command line and the demo.
import { UNCERTAIN_LABEL } from './patches';

/**
 * True when both dates have the same known class: the change happened within that class (new houses among houses,
 * a field ploughed), which reads as "change within residential", not as a transition.
 */
export function isWithinClass(from: string | null, to: string | null): boolean {
  return from !== null && from === to && from !== UNCERTAIN_LABEL;
}

/** "forest → bare/construction", "change within residential", or "unclassified" before classification. */
export function describeTransition(from: string | null, to: string | null): string {
  if (from === null || to === null) return 'unclassified';
  return isWithinClass(from, to) ? `change within ${from}` : `${from} → ${to}`;
}

/** A transition key of the API ("forest -> forest") as a planner reads it ("change within forest"); other text as is. */
export function describeTransitionKey(key: string): string {
  const i = key.indexOf(' -> ');
  return i < 0 ? key : describeTransition(key.slice(0, i), key.slice(i + 4));
}
