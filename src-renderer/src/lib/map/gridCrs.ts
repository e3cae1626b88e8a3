// The imagery's own CRS beside WGS 84 (proj4, from the definition the services read from the EPSG database): the
// pointer readout in grid coordinates, and "go to" an easting and northing.
import proj4 from 'proj4';

export interface GridCrs {
  code: string;
  name: string;
  /** Degrees (a geographic grid) or metres. */
  geographic: boolean;
  fromLonLat(p: [number, number]): [number, number];
  toLonLat(p: [number, number]): [number, number];
}

/** The grid CRS of a proj4 definition; null without one (no georeference, or a definition proj4 cannot read). */
export function gridCrsOf(
  crs: { code: string | null; name: string; proj4?: string | null } | null | undefined,
): GridCrs | null {
  if (!crs?.code || !crs.proj4) return null;
  try {
    const converter = proj4('EPSG:4326', crs.proj4);
    return {
      code: crs.code,
      name: crs.name,
      geographic: /\+proj=(longlat|latlong)/.test(crs.proj4),
      fromLonLat: (p) => converter.forward(p) as [number, number],
      toLonLat: (p) => converter.inverse(p) as [number, number],
    };
  } catch {
    return null;
  }
}

/** "E 551,234.5  N 5,353,200.0 (EPSG:32633)", or degrees for a geographic grid. */
export function formatGridPoint(crs: GridCrs, [x, y]: [number, number]): string {
  if (crs.geographic) return `${x.toFixed(6)}, ${y.toFixed(6)} (${crs.code})`;
  const f = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `E ${f.format(x)}  N ${f.format(y)} (${crs.code})`;
}
