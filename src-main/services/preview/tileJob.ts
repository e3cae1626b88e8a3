// One map tile's work, described as plain data so it can run in a worker thread or on the calling thread alike:
// get the source pixels (given, or read from a GeoTIFF level), map every tile pixel to the source through the
// approximate mesh transformer, resample, colour, and encode a PNG.
import { encode, type PngEncoderOptions } from 'fast-png';
import { ChangeMapError } from '../../core/errors';
import { imageryToRgba, probabilityToRgba, type ByteStretch } from '../../core/preview/colourise';
import { TILE_SIZE } from '../../core/preview/webMercator';
import type { RasterArray } from '../../core/raster/sampleTypes';
import type { CrsInfo, GeoTransform, PixelWindow, SampleType } from '../../core/raster/types';
import { sourcePixelCoordinates, type CoordinateTransform } from '../../core/raster/warp';
import { resample } from '../../core/raster/warp';
import { converter, crsFromEpsg } from '../imagery/crs';
import { readImageWindow, type GeoTiffFiles, type Validity } from './geotiffLevels';

export type TileStyle =
  /** Three source bands, red, green, blue, each stretched to bytes. */
  | { kind: 'imagery'; stretch: ByteStretch[] }
  /** One source band of probability bytes (0..254, 255 nodata). */
  | { kind: 'probability' };

export interface TilePlan {
  /** The tile's 256 x 256 grid in EPSG:3857 (pixel map coordinates for a source without georeference). */
  tileGeoTransform: GeoTransform;
  /** The part of the tile that can hold data (the rest stays transparent). */
  tilePixels: PixelWindow;
  /** Grid of the resolution level the source pixels come from (source CRS). */
  levelGeoTransform: GeoTransform;
  sourceCrs: CrsInfo;
  style: TileStyle;
}

export type TileSource =
  /** Pixels already read (band-planar, in style order) for `window` of the level's grid. */
  | { kind: 'pixels'; window: PixelWindow; data: RasterArray; valid: Uint8Array }
  /** Pixels to read from one image of a GeoTIFF. */
  | {
      kind: 'geotiff';
      uri: string;
      imageIndex: number;
      sampleType: SampleType;
      window: PixelWindow;
      bands: number[];
      validity: Validity;
    };

export interface TileJob {
  plan: TilePlan;
  source: TileSource;
}

/** DEFLATE level 1: three times faster than fast-png's default for tiles of about the same size (bench:preview). */
const PNG_OPTIONS: PngEncoderOptions = { zlib: { level: 1 } };

const transforms = new Map<string, CoordinateTransform | null>();

/**
 * EPSG:3857 -> source CRS, in place, cached per CRS. Null where tile coordinates are already the source's: a
 * source in EPSG:3857, or one without georeference, whose map is drawn in its own pixel coordinates.
 */
export function mercatorTo(crs: CrsInfo): CoordinateTransform | null {
  if (crs.code === 'EPSG:3857' || crs.code === null) return null;
  let t = transforms.get(crs.code!);
  if (t === undefined) {
    const c = converter(crsFromEpsg(3857), crs);
    t = (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const p = c.forward([xs[i], ys[i]]);
        xs[i] = p[0];
        ys[i] = p[1];
      }
    };
    transforms.set(crs.code!, t);
  }
  return t;
}

/** Renders the tile; resolves with PNG bytes, or null when no pixel of it holds data. */
export async function renderTileJob(
  job: TileJob,
  files: GeoTiffFiles,
  signal?: AbortSignal,
): Promise<Uint8Array | null> {
  const { plan, source } = job;
  const checkAborted = () => {
    if (signal?.aborted) throw new ChangeMapError('ABORTED', 'The tile was no longer needed.');
  };
  checkAborted();
  let pixels: { window: PixelWindow; data: RasterArray; valid: Uint8Array };
  if (source.kind === 'pixels') {
    pixels = source;
  } else {
    const image = await (await files.get(source.uri)).getImage(source.imageIndex);
    const read = await readImageWindow(
      image,
      source.sampleType,
      source.window,
      source.bands,
      source.validity,
      signal,
    );
    pixels = { window: source.window, ...read };
  }
  checkAborted();
  const rgba = renderRgba(plan, pixels);
  return rgba
    ? encode({ width: TILE_SIZE, height: TILE_SIZE, data: rgba, channels: 4, depth: 8 }, PNG_OPTIONS)
    : null;
}

/** The tile's RGBA pixels, or null when none is drawn. */
export function renderRgba(
  plan: TilePlan,
  pixels: { window: PixelWindow; data: RasterArray; valid: Uint8Array },
): Uint8Array | null {
  const win = plan.tilePixels;
  const { u, v } = sourcePixelCoordinates(
    plan.tileGeoTransform,
    win,
    plan.levelGeoTransform,
    mercatorTo(plan.sourceCrs),
    16,
  );
  const bands = plan.style.kind === 'imagery' ? 3 : 1;
  const n = win.width * win.height;
  const values = new Float32Array(n * bands);
  const valid = new Uint8Array(n);
  resample(
    pixels.data,
    pixels.valid,
    pixels.window,
    bands,
    u,
    v,
    plan.style.kind === 'imagery' ? 'bilinear' : 'nearest',
    values,
    valid,
  );
  const rgba = new Uint8Array(TILE_SIZE * TILE_SIZE * 4);
  const drawn =
    plan.style.kind === 'imagery'
      ? imageryToRgba(values, valid, plan.style.stretch, win, TILE_SIZE, rgba)
      : probabilityToRgba(values, valid, win, TILE_SIZE, rgba);
  return drawn > 0 ? rgba : null;
}
