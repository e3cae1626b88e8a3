// shpjs ships no types; this is the part we use: the default reader (export tests read Shapefiles back with it)
// and the part parsers the boundary reader calls (services/boundaries/readBoundaryFile.ts).
declare module 'shpjs' {
  /** Parses a zipped Shapefile (or its parts) into GeoJSON, reprojected to WGS 84 from the .prj. */
  export default function shp(input: ArrayBuffer | Uint8Array | string): Promise<unknown>;
  /** The .shp's geometries as GeoJSON geometries (null for null shapes), reprojected only when given a .prj. */
  export function parseShp(
    shp: ArrayBuffer | Uint8Array,
    prj?: string,
  ): ({ type: string; coordinates: unknown } | null)[];
  /** The .dbf's records, decoded with the .cpg's encoding (default UTF-8 / Latin-1 guess). */
  export function parseDbf(dbf: ArrayBuffer | Uint8Array, cpg?: string): Record<string, unknown>[];
  /** Geometries and records side by side as a FeatureCollection. */
  export function combine(parts: [unknown[], Record<string, unknown>[]?] | unknown[][]): {
    type: 'FeatureCollection';
    features: {
      geometry: { type: string; coordinates?: unknown } | null;
      properties: Record<string, unknown>;
    }[];
  };
}
