// What every readable raster offers the imagery service: a GeoTIFF file or URL, a mosaic of tiles, a VRT.
import { SAMPLE_TYPES, type RasterArray } from '../../core/raster/sampleTypes';
import type { BandRole, GridSpec, PixelWindow, SampleType } from '../../core/raster/types';

export interface RasterMetadata {
  /** Files or URLs behind it, in order. */
  uris: string[];
  grid: GridSpec;
  bandCount: number;
  sampleType: SampleType;
  nodata: number | null;
  bandRoles: BandRole[];
  /** ISO date (YYYY-MM-DD or full timestamp) when the metadata says when the image was taken. */
  acquiredAt: string | null;
  /** Overview sizes the file carries, largest first. */
  overviews: { width: number; height: number }[];
  /** "deflate", "lzw", "none", ... of the first file. */
  compression: string;
}

export interface ReadOptions {
  /** 0-based band indexes to read, in this order; default all. */
  bands?: number[];
  signal?: AbortSignal;
  /**
   * An array of the source's sample type, from an earlier read the caller is done with, for this read to fill instead
   * of allocating where it holds the window's pixels times the bands: `data` is then a view of its start. A run reads
   * tens of MiB a chunk, and fresh arrays are garbage that the collector chases.
   */
  into?: RasterArray;
}

export interface RasterSource {
  readonly metadata: RasterMetadata;
  /**
   * Band-planar raw values of a window (band b, row r, col c at b*h*w + r*w + c) in the source's sample type.
   * The window may reach outside the raster: pixels there hold nodata (or 0 without nodata), and `valid` says so.
   */
  readWindow(window: PixelWindow, options?: ReadOptions): Promise<{ data: RasterArray; valid: Uint8Array }>;
  close(): Promise<void>;
}

/**
 * What `readWindow` answers before any pixel is read: the bands asked for (default all), `data` holding nodata
 * (or 0 without nodata) and `valid` all 0.
 */
export function blankWindow(metadata: RasterMetadata, window: PixelWindow, options: ReadOptions) {
  const bands = options.bands ?? Array.from({ length: metadata.bandCount }, (_, i) => i);
  const n = window.width * window.height;
  const length = n * bands.length;
  const { create } = SAMPLE_TYPES[metadata.sampleType];
  const { into } = options;
  // Only an array of the source's own sample type: its values are written as they are.
  const reuse = into && into.constructor === create(0).constructor && into.length >= length;
  const data = reuse ? into.subarray(0, length) : create(length);
  if (metadata.nodata !== null && metadata.nodata !== 0) data.fill(metadata.nodata);
  else if (reuse) data.fill(0);
  return { bands, data, valid: new Uint8Array(n) };
}
