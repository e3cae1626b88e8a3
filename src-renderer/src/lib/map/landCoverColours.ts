// Colours of land-cover classes, used for region outlines (by the class a region changed to) and the legend.
// Chosen to read on both imagery and the pale base map, and to stay apart for the common colour-vision deficits.
const KNOWN: Record<string, string> = {
  'bare/construction': '#e8702a',
  residential: '#d1345b',
  industrial: '#8c4fb8',
  transport: '#5a5f6b',
  cropland: '#d8b02f',
  grassland: '#7cbf3a',
  forest: '#1f7a45',
  water: '#2a7fd4',
  uncertain: '#8a8f99',
};

/** A stable colour for any class name; unknown names get a hue from their letters. */
export function landCoverColour(name: string | null): string {
  if (!name) return KNOWN.uncertain;
  const known = KNOWN[name];
  if (known) return known;
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${hash % 360}, 62%, 42%)`;
}

/** "#rrggbb" or "hsl(...)" with an alpha, for fills. */
export function withAlpha(colour: string, alpha: number): string {
  if (colour.startsWith('#') && colour.length === 7) {
    const n = parseInt(colour.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  return colour.replace(/^hsl\((.*)\)$/, `hsla($1, ${alpha})`);
}
