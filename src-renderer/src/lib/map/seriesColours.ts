// Colours of the series layers: the periods of "when did it change" and the three sides of a run comparison.

/** Colours of the periods in "when did it change", earliest first (ColorBrewer Set1). */
export const PERIOD_COLOURS = ['#377eb8', '#ff7f00', '#4daf4a', '#984ea3', '#e41a1c', '#a65628', '#f781bf'];

/** Colours of a comparison of two runs: regions only in the earlier run, only in the later, in both. */
export const COMPARISON_COLOURS = { onlyA: '#2563eb', onlyB: '#ea580c', both: '#7c3aed' } as const;

export function periodColour(index: number): string {
  return PERIOD_COLOURS[index % PERIOD_COLOURS.length];
}
