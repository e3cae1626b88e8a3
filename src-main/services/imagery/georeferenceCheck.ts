// Checks a file's georeference before anything is drawn, aligned or written from it (issue 12): a geotransform that
// is not a number, has no area (a zero pixel size, a singular matrix) or runs its columns west places no pixel on the
// ground, and one that lies outside the Earth (longitude 5000, latitude 95, an easting of 1e12 m) would be written
// into every output. Each is refused with its own code instead of surfacing later as "no overlap".
import { ChangeMapError } from '../../core/errors';
import { pixelToGrid } from '../../core/raster/geoTransform';
import type { GridSpec } from '../../core/raster/types';
import { converter, WGS84 } from './crs';

/** Longitudes GDAL and PROJ accept on a geographic grid: -180..180, and 0..360 for grids centred on the Pacific. */
const LONGITUDE_RANGE: [number, number] = [-180, 360];
const LATITUDE_LIMIT = 90;
const NEXT_STEP = 'fix its georeference (for example with gdal_edit.py -a_ullr or -a_srs) or remove it';

/** Throws GEOREFERENCE_INVALID or GEOREFERENCE_OUT_OF_RANGE for a georeferenced grid no place on Earth can hold. */
export function checkGeoreference(grid: GridSpec, name: string): void {
  if (grid.crs.code === null) return; // pixel coordinates: nothing to check
  const gt = grid.geoTransform;
  const shown = `(${gt.map((v) => +v.toPrecision(6)).join(', ')})`;
  if (!gt.every(Number.isFinite))
    throw invalid(`"${name}" has a geotransform with a value that is not a number ${shown}`);
  if (gt[1] * gt[5] - gt[2] * gt[4] === 0)
    throw invalid(
      `"${name}" has a zero pixel size or a singular geotransform ${shown}, so its pixels cover no ground`,
    );
  if (gt[2] === 0 && gt[4] === 0 && gt[1] < 0)
    throw invalid(`"${name}" has a negative pixel width ${shown}, so its columns would run west`);
  const corners: [number, number][] = [
    [0, 0],
    [grid.width, 0],
    [0, grid.height],
    [grid.width, grid.height],
  ].map(([c, r]) => pixelToGrid(gt, c, r));
  const geographic = grid.crs.units === 'degree';
  const toWgs = geographic ? null : converter(grid.crs, WGS84());
  // Half a pixel of slack: a global grid's outer edge may sit a rounding error past ±90 or ±180.
  const slack = geographic ? Math.max(Math.hypot(gt[1], gt[4]), Math.hypot(gt[2], gt[5])) / 2 : 1e-6;
  for (const corner of corners) {
    let lonLat: number[];
    try {
      lonLat = toWgs ? toWgs.forward(corner) : corner;
    } catch {
      lonLat = [NaN, NaN];
    }
    const [lon, lat] = lonLat;
    const inside =
      Number.isFinite(lon) &&
      Number.isFinite(lat) &&
      lon >= LONGITUDE_RANGE[0] - slack &&
      lon <= LONGITUDE_RANGE[1] + slack &&
      Math.abs(lat) <= LATITUDE_LIMIT + slack;
    if (!inside) {
      const where = geographic
        ? `reaches longitude ${+corner[0].toPrecision(6)}, latitude ${+corner[1].toPrecision(6)}`
        : `has a corner at (${corner.map((v) => +v.toPrecision(6)).join(', ')}) in ${grid.crs.code}, which is no place on Earth`;
      throw new ChangeMapError(
        'GEOREFERENCE_OUT_OF_RANGE',
        `"${name}" ${where} (longitude must lie within -180..360 and latitude within -90..90); ${NEXT_STEP}.`,
      );
    }
  }
}

function invalid(what: string): ChangeMapError {
  return new ChangeMapError('GEOREFERENCE_INVALID', `${what}; ${NEXT_STEP}.`);
}
