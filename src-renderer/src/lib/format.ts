// Formatting helpers shared by panels and the status bar.

/** Degrees with hemisphere letters, e.g. "52.51234° N, 13.40123° E". */
export function formatLonLat([lon, lat]: [number, number]): string {
  const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
  return `${Math.abs(lat).toFixed(5)}° ${lat >= 0 ? 'N' : 'S'}, ${Math.abs(wrapped).toFixed(5)}° ${wrapped >= 0 ? 'E' : 'W'}`;
}
