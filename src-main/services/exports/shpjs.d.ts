// shpjs (dev dependency, used by export tests to read Shapefiles back) ships no types; this is the part we use.
declare module 'shpjs' {
  /** Parses a zipped Shapefile (or its parts) into GeoJSON, reprojected to WGS 84 from the .prj. */
  export default function shp(input: ArrayBuffer | Uint8Array | string): Promise<unknown>;
}
