// Formatting helpers shared by panels and the status bar.

/** Degrees with hemisphere letters, e.g. "52.51234° N, 13.40123° E". */
export function formatLonLat([lon, lat]: [number, number], digits = 5): string {
  const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
  return `${Math.abs(lat).toFixed(digits)}° ${lat >= 0 ? 'N' : 'S'}, ${Math.abs(wrapped).toFixed(digits)}° ${wrapped >= 0 ? 'E' : 'W'}`;
}

const grouped = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** Whole numbers with thousands separators: "12,345". */
export function formatCount(n: number): string {
  return grouped.format(n);
}

/** An area as planners read it: "1,234 m² · 0.12 ha". */
export function formatAreaM2(m2: number): string {
  const ha = m2 / 10_000;
  const haText = ha >= 100 ? grouped.format(ha) : ha >= 1 ? ha.toFixed(2) : ha.toFixed(3);
  return `${grouped.format(m2)} m² · ${haText} ha`;
}

/**
 * An area in the project's unit: m² (and ha), or square pixels for imagery without georeference whose pixel size
 * the user has not given ("1,234 px").
 */
export function formatArea(area: number, unit: 'm' | 'px'): string {
  return unit === 'px' ? `${grouped.format(area)} px` : formatAreaM2(area);
}

/** A position in pixel space: "x 123, row 45" (API y is -row). */
export function formatPixelPoint([x, y]: [number, number]): string {
  return `x ${Math.floor(x)}, row ${Math.floor(-y)}`;
}

/** A point in the API's map coordinates: degrees, or pixels for imagery without georeference. */
export function formatMapPoint(p: [number, number], space: 'wgs84' | 'pixel', digits = 5): string {
  return space === 'pixel' ? formatPixelPoint(p) : formatLonLat(p, digits);
}

export function formatKm2(km2: number): string {
  if (km2 >= 100) return `${grouped.format(km2)} km²`;
  if (km2 >= 10) return `${km2.toFixed(1)} km²`;
  if (km2 >= 1) return `${km2.toFixed(2)} km²`;
  return `${km2.toFixed(3)} km²`;
}

/** "2 h 05 min", "4 min 10 s", "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Metres with sensible precision: "3.00 m", "0.50 m", "30 m". */
export function formatMetres(m: number): string {
  return m >= 10 ? `${m.toFixed(0)} m` : `${m.toFixed(2)} m`;
}

export function formatProbability(p: number | null | undefined): string {
  return p === null || p === undefined ? '–' : p.toFixed(2);
}

export { UNCERTAIN_LABEL } from '../../../src-main/core/regions/patches';
export {
  describeTransition,
  describeTransitionKey,
  isWithinClass,
} from '../../../src-main/core/regions/transitionText';

/** One side of a transition: "forest 0.91", "uncertain 0.38", or "unclassified". */
export function formatLandCover(label: string | null, confidence: number | null): string {
  if (label === null) return 'unclassified';
  return confidence === null ? label : `${label} ${confidence.toFixed(2)}`;
}

/** The transition key the API uses ("forest -> bare/construction"); null before classification. */
export function transitionKey(from: string | null, to: string | null): string | null {
  return from !== null && to !== null ? `${from} -> ${to}` : null;
}

/** The "after" class of a transition key ("forest -> bare/construction" gives "bare/construction"). */
export function transitionTarget(transition: string): string {
  const parts = transition.split(/\s*(?:->|→)\s*/);
  return parts[parts.length - 1] || transition;
}
