// Where the regions service gets change probabilities from: a window reader over the run's probability raster.
import { ChangeMapError } from '../../core/errors';
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import type { RasterSource } from '../imagery/rasterSource';

export interface ProbabilityRasterReader {
  readonly grid: GridSpec;
  /** Raw value meaning "no data" (such pixels are never change), or null. */
  readonly nodata: number | null;
  /** Probabilities 0..1 as float32, or 0..255 as uint8; the window lies inside the grid. */
  readWindow(window: PixelWindow): Promise<Float32Array | Uint8Array>;
}

/** The run's probability GeoTIFF (band 1) as a reader; see services/imagery/geotiffSource openGeoTiff(). */
export function probabilityReaderFromRaster(source: RasterSource): ProbabilityRasterReader {
  const { grid, sampleType, nodata } = source.metadata;
  if (sampleType !== 'float32' && sampleType !== 'uint8')
    throw new ChangeMapError(
      'REGIONS_BAD_PROBABILITY_RASTER',
      `A change probability raster must hold float32 or uint8 values (this one holds ${sampleType}).`,
    );
  return {
    grid,
    nodata,
    async readWindow(window) {
      const { data } = await source.readWindow(window, { bands: [0] });
      return data as Float32Array | Uint8Array;
    },
  };
}

/** A reader over values in memory (tests, benchmarks, small scenes). */
export function memoryProbabilityReader(
  grid: GridSpec,
  values: Float32Array | Uint8Array,
  nodata: number | null = null,
): ProbabilityRasterReader {
  if (values.length !== grid.width * grid.height)
    throw new ChangeMapError(
      'REGIONS_BAD_PROBABILITY_RASTER',
      'The probability values do not match the grid size.',
    );
  return {
    grid,
    nodata,
    async readWindow(w) {
      const out = new (values.constructor as typeof Float32Array)(w.width * w.height);
      for (let y = 0; y < w.height; y++) {
        const from = (w.y + y) * grid.width + w.x;
        out.set(values.subarray(from, from + w.width), y * w.width);
      }
      return out as Float32Array | Uint8Array;
    },
  };
}
