// "Go to": what a planner types for a place, parsed into a point. Latitude first as people say it ("48.2, 16.37",
// "48.2 N 16.37 E"), or the grid's own easting and northing ("551000 5353200", metres in the imagery's CRS).

export type ParsedCoordinate =
  | { kind: 'wgs84'; lon: number; lat: number }
  | { kind: 'grid'; x: number; y: number }
  | { kind: 'error'; message: string };

const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?`;
const HEMI = new RegExp(String.raw`^\s*(${NUMBER})\s*°?\s*([NSns])\s*[, ]\s*(${NUMBER})\s*°?\s*([EWew])\s*$`);
const PAIR = new RegExp(String.raw`^\s*(${NUMBER})\s*(?:,\s*|\s+)(${NUMBER})\s*$`);

/**
 * Two numbers within ±90 / ±180 are latitude, longitude; larger ones are grid easting, northing (only where the
 * project has a projected grid, `gridAvailable`).
 */
export function parseCoordinate(text: string, gridAvailable: boolean): ParsedCoordinate {
  const hemi = HEMI.exec(text);
  if (hemi) {
    const lat = Number(hemi[1]) * (/[sS]/.test(hemi[2]) ? -1 : 1);
    const lon = Number(hemi[3]) * (/[wW]/.test(hemi[4]) ? -1 : 1);
    return checkLonLat(lon, lat);
  }
  const pair = PAIR.exec(text);
  if (!pair)
    return {
      kind: 'error',
      message:
        'Type a latitude and longitude ("48.21, 16.37") or a grid easting and northing ("551000 5353200").',
    };
  const [a, b] = [Number(pair[1]), Number(pair[2])];
  if (Math.abs(a) <= 90 && Math.abs(b) <= 180) return checkLonLat(b, a);
  if (!gridAvailable)
    return { kind: 'error', message: 'Latitude must lie within ±90° and longitude within ±180°.' };
  return { kind: 'grid', x: a, y: b };
}

function checkLonLat(lon: number, lat: number): ParsedCoordinate {
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180)
    return { kind: 'error', message: 'Latitude must lie within ±90° and longitude within ±180°.' };
  return { kind: 'wgs84', lon, lat };
}
