// Many rasters read as one, what a GDAL VRT describes: each source puts a source rectangle of some of its bands
// into a destination rectangle of the mosaic. Later sources draw over earlier ones, except where they are nodata.
// Sources of another resolution are resampled by nearest neighbour (as GDAL does for simple sources).
import { ChangeMapError } from '../../core/errors';
import type { PixelWindow } from '../../core/raster/types';
import { intersectWindows } from '../../core/raster/window';
import { blankWindow, type RasterMetadata, type RasterSource, type ReadOptions } from './rasterSource';

export interface MosaicPart {
  source: RasterSource;
  /** Rectangle of the source read (may be fractional for VRTs; rounded outwards when read). */
  srcRect: PixelWindow;
  /** Where it lands in the mosaic. */
  dstRect: PixelWindow;
  /** For each mosaic band, the source band index feeding it, or null when this part does not feed it. */
  bandMap: (number | null)[];
  /** ComplexSource scaling: value * ratio + offset. */
  scaleRatio?: number;
  scaleOffset?: number;
  /** ComplexSource NODATA: source values that do not draw. */
  nodata?: number | null;
}

export class MosaicSource implements RasterSource {
  constructor(
    readonly metadata: RasterMetadata,
    private readonly parts: MosaicPart[],
  ) {}

  async readWindow(window: PixelWindow, options: ReadOptions = {}) {
    const { bands, data, valid } = blankWindow(this.metadata, window, options);
    const n = window.width * window.height;
    for (const part of this.parts) {
      if (options.signal?.aborted) throw new ChangeMapError('ABORTED', 'Reading the image was cancelled.');
      const target = intersectWindows(window, part.dstRect);
      if (!target) continue;
      const srcBands = bands.map((b) => part.bandMap[b]);
      const fed = srcBands.map((b, i) => (b === null ? -1 : i)).filter((i) => i >= 0);
      if (fed.length === 0) continue;
      const sx = part.srcRect.width / part.dstRect.width;
      const sy = part.srcRect.height / part.dstRect.height;
      // Source pixel of destination column/row (nearest, centre-based).
      const colOf = (c: number) => Math.floor(part.srcRect.x + (c - part.dstRect.x + 0.5) * sx);
      const rowOf = (r: number) => Math.floor(part.srcRect.y + (r - part.dstRect.y + 0.5) * sy);
      const c0 = colOf(target.x);
      const r0 = rowOf(target.y);
      const srcWin = {
        x: c0,
        y: r0,
        width: colOf(target.x + target.width - 1) - c0 + 1,
        height: rowOf(target.y + target.height - 1) - r0 + 1,
      };
      const read = await part.source.readWindow(srcWin, {
        bands: fed.map((i) => srcBands[i] as number),
        signal: options.signal,
      });
      const sn = srcWin.width * srcWin.height;
      const ratio = part.scaleRatio ?? 1;
      const offset = part.scaleOffset ?? 0;
      const scaled = ratio !== 1 || offset !== 0;
      const partNodata = part.nodata ?? null;
      const cols = new Int32Array(target.width);
      for (let c = 0; c < target.width; c++) cols[c] = colOf(target.x + c) - srcWin.x;
      for (let r = 0; r < target.height; r++) {
        const srow = (rowOf(target.y + r) - srcWin.y) * srcWin.width;
        const drow = (target.y - window.y + r) * window.width + (target.x - window.x);
        for (let c = 0; c < target.width; c++) {
          const si = srow + cols[c];
          if (!read.valid[si]) continue;
          if (partNodata !== null && read.data[si] === partNodata) continue;
          valid[drow + c] = 1;
          for (let k = 0; k < fed.length; k++) {
            const v = read.data[k * sn + si];
            data[fed[k] * n + drow + c] = scaled ? v * ratio + offset : v;
          }
        }
      }
    }
    return { data, valid };
  }

  async close() {
    const unique = new Set(this.parts.map((p) => p.source));
    await Promise.all([...unique].map((s) => s.close()));
  }
}
