// A preview pyramid for imagery without overviews (tile mosaics, VRTs, plain GeoTIFFs): the set read once, block by
// block, stretched to RGB bytes with an alpha band for nodata, written as a tiled GeoTIFF whose internal
// overviews the project's streaming writer builds on the fly. Memory stays at one block plus the writer's
// partly-filled tiles, whatever the image size; the main thread yields between blocks.
import { rename, rm } from 'node:fs/promises';
import { ChangeMapError } from '../../core/errors';
import type { ByteStretch } from '../../core/preview/colourise';
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import type { RasterSource } from '../imagery/rasterSource';

export interface PyramidOptions {
  source: RasterSource;
  /** Source bands giving red, green, blue. */
  bands: number[];
  stretch: ByteStretch[];
  file: string;
  /** Block edge, a multiple of 256. Default 1024. */
  blockSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Band-planar red, green, blue, alpha bytes of a block. */
export function blockToRgba(
  data: ArrayLike<number>,
  valid: Uint8Array,
  stretch: readonly ByteStretch[],
): Uint8Array {
  const n = valid.length;
  const out = new Uint8Array(n * 4);
  for (let b = 0; b < 3; b++) {
    const { scale, offset } = stretch[b];
    for (let i = 0; i < n; i++) {
      if (!valid[i]) continue;
      const v = data[b * n + i] * scale + offset;
      out[b * n + i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  for (let i = 0; i < n; i++) out[3 * n + i] = valid[i] ? 255 : 0;
  return out;
}

function blocks(grid: GridSpec, size: number): PixelWindow[] {
  const out: PixelWindow[] = [];
  for (let y = 0; y < grid.height; y += size)
    for (let x = 0; x < grid.width; x += size)
      out.push({ x, y, width: Math.min(size, grid.width - x), height: Math.min(size, grid.height - y) });
  return out;
}

/** Writes the pyramid to `file` (through a temporary name, so a half-built file is never taken for a finished one). */
export async function buildPreviewPyramid(options: PyramidOptions): Promise<void> {
  const { source, bands, stretch, file, signal } = options;
  const grid = source.metadata.grid;
  const size = options.blockSize ?? 1024;
  if (size % 256 !== 0)
    throw new ChangeMapError('PREVIEW_BAD_BLOCK', 'Pyramid blocks must be whole 256-pixel tiles.');
  const partial = `${file}.partial`;
  const writer = await createGeoTiffWriter(partial, {
    width: grid.width,
    height: grid.height,
    bands: 4,
    sampleType: 'uint8',
    grid,
    tileSize: 256,
    compression: 'deflate',
    deflateLevel: 3,
    overviews: true,
    overviewResampling: 'average',
    colour: 'rgba',
  });
  try {
    const all = blocks(grid, size);
    for (let i = 0; i < all.length; i++) {
      if (signal?.aborted) throw new ChangeMapError('ABORTED', 'Building the map preview was cancelled.');
      const { data, valid } = await source.readWindow(all[i], { bands, signal });
      await writer.writeWindow(all[i], blockToRgba(data, valid, stretch));
      options.onProgress?.((i + 1) / all.length);
      // Let tile and API requests through between blocks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.close();
    await rename(partial, file);
  } catch (error) {
    await writer.abort().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}
