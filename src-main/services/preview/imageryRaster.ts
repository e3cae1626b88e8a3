// One date's imagery as a previewable raster: which bands make red/green/blue, how they stretch to bytes, and
// where the pixels of a level come from (the file's own overviews, the preview pyramid, or full-resolution reads).
import { byteStretchFor, type ByteStretch } from '../../core/preview/colourise';
import type { BandRole, GridSpec } from '../../core/raster/types';
import { sampleBandStatistics } from '../imagery/alignedPair';
import type { RasterSource } from '../imagery/rasterSource';
import type { GeoTiffLevels, Validity } from './geotiffLevels';
import type { TileStyle } from './tileJob';
import { mercatorBoxOf, type PreviewRaster } from './tilePlanner';

/** Band indexes shown as red, green, blue: the roles when all three are there, else the first bands, else grey. */
export function rgbBands(roles: readonly BandRole[]): number[] {
  const [r, g, b] = (['red', 'green', 'blue'] as const).map((role) => roles.indexOf(role));
  if (r >= 0 && g >= 0 && b >= 0) return [r, g, b];
  const data = roles.map((role, i) => (role === 'alpha' ? -1 : i)).filter((i) => i >= 0);
  if (data.length >= 3) return data.slice(0, 3);
  const grey = data[0] ?? 0;
  return [grey, grey, grey];
}

/** uint8 as it is; other types by each band's p2..p98 from a spread sample of the image. */
export async function imageryStretch(
  source: RasterSource,
  bands: number[],
  signal?: AbortSignal,
): Promise<ByteStretch[]> {
  const type = source.metadata.sampleType;
  if (type === 'uint8') return bands.map(() => byteStretchFor(type, null));
  const stats = await sampleBandStatistics(source, bands, { windows: 25, size: 256, signal });
  return stats.map((s) => byteStretchFor(type, s));
}

/** Full-resolution reads only, through the imagery service (any source: mosaic, VRT, GeoTIFF). */
export function directRaster(
  key: string,
  source: RasterSource,
  bands: number[],
  style: TileStyle,
): PreviewRaster {
  const grid = source.metadata.grid;
  return {
    key,
    grid,
    levels: [{ width: grid.width, height: grid.height }],
    style,
    mercatorBox: mercatorBoxOf(grid),
    async source(_level, window, signal) {
      const { data, valid } = await source.readWindow(window, { bands, signal });
      return { kind: 'pixels', window, data, valid };
    },
  };
}

/** A GeoTIFF's own levels (image and internal overviews), read in the tile workers. */
export function geotiffRaster(
  key: string,
  file: GeoTiffLevels,
  grid: GridSpec,
  bands: number[],
  validity: Validity,
  style: TileStyle,
): PreviewRaster {
  return {
    key,
    grid,
    levels: file.levels,
    style,
    mercatorBox: mercatorBoxOf(grid),
    async source(level, window) {
      return {
        kind: 'geotiff',
        uri: file.uri,
        imageIndex: file.levels[level].imageIndex,
        sampleType: file.sampleType,
        window,
        bands,
        validity,
      };
    },
  };
}
