// GeoTIFF georeference tags for a GridSpec: ModelPixelScale + ModelTiepoint (north-up) or ModelTransformation
// (rotated), and a GeoKey directory naming the EPSG code.
import { ChangeMapError } from '../errors';
import { TiffType, type TiffTag } from './tiffIfd';
import type { GridSpec } from './types';

const GT_MODEL_TYPE = 1024;
const GT_RASTER_TYPE = 1025;
const GEOGRAPHIC_TYPE = 2048;
const PROJECTED_CS_TYPE = 3072;

/** Tags that georeference a grid; none for a grid in pixel space (no CRS). */
export function geoTiffTags(grid: GridSpec): TiffTag[] {
  if (grid.crs.code === null) return [];
  const match = /^EPSG:(\d+)$/.exec(grid.crs.code);
  if (!match) {
    throw new ChangeMapError(
      'CRS_NOT_WRITABLE',
      `Cannot write a GeoTIFF in the CRS "${grid.crs.name}" because it has no EPSG code.`,
    );
  }
  const code = Number(match[1]);
  const geographic = grid.crs.units === 'degree';
  const gt = grid.geoTransform;
  const tags: TiffTag[] = [];
  if (gt[2] === 0 && gt[4] === 0) {
    tags.push({ tag: 33550, type: TiffType.DOUBLE, values: [gt[1], -gt[5], 0] });
    tags.push({ tag: 33922, type: TiffType.DOUBLE, values: [0, 0, 0, gt[0], gt[3], 0] });
  } else {
    tags.push({
      tag: 34264,
      type: TiffType.DOUBLE,
      values: [gt[1], gt[2], 0, gt[0], gt[4], gt[5], 0, gt[3], 0, 0, 0, 0, 0, 0, 0, 1],
    });
  }
  const keys = [
    [GT_MODEL_TYPE, 0, 1, geographic ? 2 : 1],
    [GT_RASTER_TYPE, 0, 1, 1], // PixelIsArea
    [geographic ? GEOGRAPHIC_TYPE : PROJECTED_CS_TYPE, 0, 1, code],
  ];
  tags.push({ tag: 34735, type: TiffType.SHORT, values: [1, 1, 0, keys.length, ...keys.flat()] });
  return tags;
}
