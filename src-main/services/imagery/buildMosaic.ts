// Tiles of one date read as one mosaic, as gdalbuildvrt does: same CRS and bands, union of the extents, the
// finest pixel size, tiles placed by their georeference.
import { ChangeMapError } from '../../core/errors';
import type { GeoTransform } from '../../core/raster/types';
import { MosaicSource } from './mosaicSource';
import type { RasterSource } from './rasterSource';

export function buildMosaic(tiles: RasterSource[]): RasterSource {
  if (tiles.length === 1) return tiles[0];
  const first = tiles[0].metadata;
  for (const tile of tiles) {
    const m = tile.metadata;
    const name = m.uris[0].split(/[\\/]/).pop();
    if (m.grid.crs.code === null) {
      throw new ChangeMapError(
        'MOSAIC_NO_GEOREFERENCE',
        `"${name}" has no georeference, so it cannot be placed in a mosaic of tiles.`,
      );
    }
    if (m.grid.crs.code !== first.grid.crs.code) {
      throw new ChangeMapError(
        'MOSAIC_MIXED_CRS',
        `"${name}" is in ${m.grid.crs.name}, other tiles of this date in ${first.grid.crs.name}.`,
      );
    }
    if (m.bandCount !== first.bandCount || m.sampleType !== first.sampleType) {
      throw new ChangeMapError(
        'MOSAIC_BAND_MISMATCH',
        `"${name}" has ${m.bandCount} ${m.sampleType} bands, other tiles of this date ${first.bandCount} ${first.sampleType}.`,
      );
    }
    const gt = m.grid.geoTransform;
    if (gt[2] !== 0 || gt[4] !== 0) {
      throw new ChangeMapError(
        'MOSAIC_ROTATED',
        `"${name}" is rotated; only north-up tiles can be mosaicked.`,
      );
    }
  }
  const resX = Math.min(...tiles.map((t) => Math.abs(t.metadata.grid.geoTransform[1])));
  const resY = Math.min(...tiles.map((t) => Math.abs(t.metadata.grid.geoTransform[5])));
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const t of tiles) {
    const { width, height, geoTransform: gt } = t.metadata.grid;
    const xs = [gt[0], gt[0] + width * gt[1]];
    const ys = [gt[3], gt[3] + height * gt[5]];
    minX = Math.min(minX, ...xs);
    maxX = Math.max(maxX, ...xs);
    minY = Math.min(minY, ...ys);
    maxY = Math.max(maxY, ...ys);
  }
  const width = Math.round((maxX - minX) / resX);
  const height = Math.round((maxY - minY) / resY);
  const geoTransform: GeoTransform = [minX, resX, 0, maxY, 0, -resY];
  const parts = tiles.map((t) => {
    const { width: w, height: h, geoTransform: gt } = t.metadata.grid;
    const x0 = Math.min(gt[0], gt[0] + w * gt[1]);
    const y0 = Math.max(gt[3], gt[3] + h * gt[5]);
    return {
      source: t,
      srcRect: { x: 0, y: 0, width: w, height: h },
      dstRect: {
        x: Math.round((x0 - minX) / resX),
        y: Math.round((maxY - y0) / resY),
        width: Math.round((w * Math.abs(gt[1])) / resX),
        height: Math.round((h * Math.abs(gt[5])) / resY),
      },
      bandMap: Array.from({ length: first.bandCount }, (_, i) => i),
    };
  });
  return new MosaicSource(
    {
      ...first,
      uris: tiles.flatMap((t) => t.metadata.uris),
      grid: { width, height, geoTransform, crs: first.grid.crs },
      // Overviews of single tiles do not make a mosaic overview: the map builds a preview pyramid instead.
      overviews: [],
      acquiredAt: tiles.map((t) => t.metadata.acquiredAt).find((d) => d !== null) ?? null,
    },
    parts,
  );
}
