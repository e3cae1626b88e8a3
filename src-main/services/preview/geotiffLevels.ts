// Resolution levels of one GeoTIFF (full image and internal overviews) read straight with geotiff.js: the
// imagery service's RasterSource reads full resolution only, and a map tile wants the overview that fits it.
// Used on the main thread (describing files, same-thread rendering) and inside the tile workers.
import { fromFile, fromUrl, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { ChangeMapError } from '../../core/errors';
import { SAMPLE_TYPES, sampleTypeFromTiff, type RasterArray } from '../../core/raster/sampleTypes';
import type { PixelWindow, SampleType } from '../../core/raster/types';
import { intersectWindows } from '../../core/raster/window';

export interface GeoTiffLevel {
  /** Index of the image (IFD) in the file. */
  imageIndex: number;
  width: number;
  height: number;
}

export interface GeoTiffLevels {
  uri: string;
  /** Full resolution first, then overviews from largest to smallest. */
  levels: GeoTiffLevel[];
  bandCount: number;
  sampleType: SampleType;
  nodata: number | null;
}

/** How to tell valid pixels: the nodata value (all read bands equal to it) and/or an alpha band (0 = invalid). */
export interface Validity {
  nodata: number | null;
  alphaBand: number | null;
}

/** Opened GeoTIFFs by URI, the most recently used kept open (file handles are few; opening costs a header read). */
export class GeoTiffFiles {
  private readonly open = new Map<string, Promise<GeoTIFF>>();

  constructor(private readonly maxOpen = 16) {}

  get(uri: string): Promise<GeoTIFF> {
    let tiff = this.open.get(uri);
    if (tiff) {
      this.open.delete(uri);
    } else {
      tiff = (/^https?:\/\//i.test(uri) ? fromUrl(uri, { allowFullFile: false }) : fromFile(uri)).catch(
        (error: unknown) => {
          this.open.delete(uri);
          throw new ChangeMapError('PREVIEW_READ_FAILED', `"${uri}" cannot be opened for the map preview.`, {
            cause: error,
          });
        },
      );
    }
    this.open.set(uri, tiff);
    for (const [key, oldest] of this.open) {
      if (this.open.size <= this.maxOpen) break;
      this.open.delete(key);
      void oldest.then(async (t) => void (await t.close())).catch(() => undefined);
    }
    return tiff;
  }

  /** Forgets a file (it was replaced on disk, e.g. a rebuilt preview). */
  async forget(uri: string): Promise<void> {
    const tiff = this.open.get(uri);
    this.open.delete(uri);
    await tiff?.then(async (t) => void (await t.close())).catch(() => undefined);
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((t) => t.then(async (x) => void (await x.close())).catch(() => undefined)));
  }
}

export async function describeGeoTiff(files: GeoTiffFiles, uri: string): Promise<GeoTiffLevels> {
  const tiff = await files.get(uri);
  const first = await tiff.getImage(0);
  const bandCount = first.getSamplesPerPixel();
  const fd = first.fileDirectory;
  const bits = Array.from((fd.getValue('BitsPerSample') as ArrayLike<number> | undefined) ?? [8]);
  const formats = Array.from((fd.getValue('SampleFormat') as ArrayLike<number> | undefined) ?? [1]);
  const sampleType = sampleTypeFromTiff(bits[0], formats[0]);
  if (!sampleType)
    throw new ChangeMapError('UNSUPPORTED_DATA_TYPE', `"${uri}" has samples the preview cannot read.`);
  const levels: GeoTiffLevel[] = [{ imageIndex: 0, width: first.getWidth(), height: first.getHeight() }];
  const count = await tiff.getImageCount();
  for (let i = 1; i < count; i++) {
    const image = await tiff.getImage(i);
    const subfile = (image.fileDirectory.getValue('NewSubfileType') as number | undefined) ?? 0;
    // Bit 2 marks a transparency mask, not an overview.
    if (subfile & 4 || image.getSamplesPerPixel() !== bandCount) continue;
    const last = levels[levels.length - 1];
    if (image.getWidth() < last.width)
      levels.push({ imageIndex: i, width: image.getWidth(), height: image.getHeight() });
  }
  return { uri, levels, bandCount, sampleType, nodata: first.getGDALNoData() };
}

/**
 * Band-planar values of a window of one image of the file (in `bands` order) and its validity. The window may
 * reach outside the image: pixels there are invalid.
 */
export async function readImageWindow(
  image: GeoTIFFImage,
  sampleType: SampleType,
  window: PixelWindow,
  bands: number[],
  validity: Validity,
  signal?: AbortSignal,
): Promise<{ data: RasterArray; valid: Uint8Array }> {
  const n = window.width * window.height;
  const data = SAMPLE_TYPES[sampleType].create(n * bands.length);
  const valid = new Uint8Array(n);
  const inside = intersectWindows(window, { x: 0, y: 0, width: image.getWidth(), height: image.getHeight() });
  if (!inside) return { data, valid };
  const { nodata, alphaBand } = validity;
  const samples = alphaBand !== null && !bands.includes(alphaBand) ? [...bands, alphaBand] : bands;
  let rasters: RasterArray[];
  try {
    rasters = (await image.readRasters({
      window: [inside.x, inside.y, inside.x + inside.width, inside.y + inside.height],
      samples,
      interleave: false,
      signal,
    })) as unknown as RasterArray[];
  } catch (error) {
    if (signal?.aborted)
      throw new ChangeMapError('ABORTED', 'The tile was no longer needed.', { cause: error });
    throw new ChangeMapError('PREVIEW_READ_FAILED', 'Pixels for the map preview could not be read.', {
      cause: error,
    });
  }
  const alpha = alphaBand === null ? null : rasters[samples.indexOf(alphaBand)];
  const iw = inside.width;
  for (let r = 0; r < inside.height; r++) {
    const dst = (inside.y - window.y + r) * window.width + (inside.x - window.x);
    for (let b = 0; b < bands.length; b++) data.set(rasters[b].subarray(r * iw, (r + 1) * iw), b * n + dst);
    for (let c = 0; c < iw; c++) {
      const s = r * iw + c;
      let ok = alpha === null || alpha[s] !== 0;
      if (ok && nodata !== null) {
        let all = true;
        for (let b = 0; b < bands.length && all; b++) {
          const v = rasters[b][s];
          all = v === nodata || (v !== v && nodata !== nodata);
        }
        ok = !all;
      }
      valid[dst + c] = ok ? 1 : 0;
    }
  }
  return { data, valid };
}
