// One .zip holding a Shapefile's parts: .shp, .shx, .dbf, .prj (CRS as WKT) and .cpg (text encoding). GIS
// tools open such a zip directly (QGIS, ArcGIS Online, GDAL's /vsizip/, shpjs); one file cannot lose a part.

import { zipSync } from 'fflate';
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { encodeDbf, type DbfField, type DbfValue } from './dbf';
import { encodeShapefilePolygons } from './shp';

export interface ShapefileZipInput {
  /** Name of the parts inside the zip, without extension (e.g. "change_regions"). */
  baseName: string;
  geometries: readonly FlatMultiPolygon[];
  fields: readonly DbfField[];
  records: readonly (readonly DbfValue[])[];
  /** The CRS as WKT 1 (what .prj files hold); null writes no .prj (coordinates without a CRS, e.g. pixels). */
  prjWkt: string | null;
  updated?: Date;
}

export function encodeShapefileZip(input: ShapefileZipInput): Uint8Array {
  if (input.geometries.length !== input.records.length) {
    throw new RangeError(`${input.geometries.length} geometries but ${input.records.length} attribute rows`);
  }
  const text = new TextEncoder();
  const { shp, shx } = encodeShapefilePolygons(input.geometries);
  const dbf = encodeDbf(input.fields, input.records, { updated: input.updated });
  const mtime = input.updated ?? new Date();
  const b = input.baseName;
  return zipSync(
    {
      [`${b}.shp`]: shp,
      [`${b}.shx`]: shx,
      [`${b}.dbf`]: dbf,
      ...(input.prjWkt === null ? {} : { [`${b}.prj`]: text.encode(input.prjWkt) }),
      [`${b}.cpg`]: text.encode('UTF-8'),
    },
    { level: 6, mtime },
  );
}
