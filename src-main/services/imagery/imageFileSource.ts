// PNG and JPEG images (the format of public change-detection pairs such as SZTAKI AirChange and LEVIR-CD), decoded
// whole with fast-png / jpeg-js and read in windows from memory. Georeferenced by an .aux.xml, a world file and a
// .prj as GDAL does; without them the image is in pixel space.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import jpeg from 'jpeg-js';
import { ChangeMapError } from '../../core/errors';
import { acquisitionDate } from '../../core/raster/acquisitionDate';
import { guessBandRoles } from '../../core/raster/bandRoles';
import { placeBands } from '../../core/raster/placeBands';
import { SAMPLE_TYPES, type RasterArray } from '../../core/raster/sampleTypes';
import type { PixelWindow, SampleType } from '../../core/raster/types';
import { intersectWindows } from '../../core/raster/window';
import { PIXEL_CRS, PIXEL_GEOTRANSFORM } from './crs';
import { MIN_IMAGE_SIDE } from './geotiffSource';
import { blankWindow, type RasterMetadata, type RasterSource, type ReadOptions } from './rasterSource';
import { readSidecars, sidecarGeoreference } from './sidecars';

/**
 * Largest image decoded whole (pixels): a PNG or JPEG has no tiles to read a window from, so all of it sits in
 * memory; past this, a tiled GeoTIFF reads in bounded memory.
 */
export const MAX_DECODED_PIXELS = 120_000_000;

/** File extensions read by this module (lower case, without the dot). */
export const IMAGE_FILE_EXTENSIONS = ['png', 'jpg', 'jpeg'];

interface Decoded {
  width: number;
  height: number;
  channels: number;
  sampleType: SampleType;
  /** Pixel-interleaved samples. */
  samples: Uint8Array | Uint16Array;
  compression: 'png' | 'jpeg';
  /** Text items the file carries (PNG tEXt/iTXt). */
  text: Record<string, string>;
}

export async function openImageFile(path: string): Promise<RasterSource> {
  const name = basename(path);
  const size = await stat(path).then(
    (s) => s.size,
    (error: unknown) => {
      throw new ChangeMapError(
        'FILE_NOT_FOUND',
        `"${name}" cannot be opened: the file does not exist or is not readable.`,
        { cause: error },
      );
    },
  );
  if (size === 0) throw new ChangeMapError('FILE_EMPTY', `"${name}" is empty (0 bytes).`);
  const bytes = new Uint8Array(await readFile(path));
  const decoded = decode(bytes, name);
  const { width, height, channels } = decoded;
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new ChangeMapError(
      'IMAGE_TOO_SMALL',
      `"${name}" is only ${width} x ${height} pixels; ChangeMap needs at least ${MIN_IMAGE_SIDE} x ${MIN_IMAGE_SIDE}.`,
    );
  }
  const sidecars = await readSidecars(path, { worldFileFirst: true });
  const georef = sidecarGeoreference(sidecars, name);
  const colour = channels >= 3;
  const hasAlpha = channels === 2 || channels === 4;
  const bandRoles = guessBandRoles({
    bandCount: channels,
    sampleType: decoded.sampleType,
    photometric: colour ? 2 : 1,
    extraSamples: hasAlpha ? [2] : undefined,
  });
  const metadata: RasterMetadata = {
    uris: [path],
    grid: {
      width,
      height,
      geoTransform: georef?.geoTransform ?? PIXEL_GEOTRANSFORM,
      crs: georef?.crs ?? PIXEL_CRS,
    },
    bandCount: channels,
    sampleType: decoded.sampleType,
    nodata: sidecars.nodata,
    bandRoles,
    acquiredAt: acquisitionDate({
      metadata: { ...decoded.text, ...sidecars.metadata },
      fileName: name,
    }),
    overviews: [],
    compression: decoded.compression,
  };
  return new DecodedImageSource(metadata, toPlanar(decoded));
}

function decode(bytes: Uint8Array, name: string): Decoded {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!png && !jpg) {
    throw new ChangeMapError('NOT_AN_IMAGE', `"${name}" is not a PNG or JPEG image, whatever its name says.`);
  }
  try {
    if (png) return decodePngFile(bytes, name);
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: MAX_DECODED_PIXELS / 1e6,
      maxMemoryUsageInMB: 4096,
    });
    return {
      width: image.width,
      height: image.height,
      channels: 3,
      sampleType: 'uint8',
      samples: image.data,
      compression: 'jpeg',
      text: {},
    };
  } catch (error) {
    if (error instanceof ChangeMapError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/maxResolutionInMP|resolution/i.test(message)) throw tooLarge(name);
    throw new ChangeMapError(
      'IMAGE_DAMAGED',
      `"${name}" cannot be decoded (${message}); the file may be damaged or cut short.`,
      { cause: error },
    );
  }
}

/** Width and height from a PNG's IHDR chunk (bytes 16-23), read before decoding; null where there is none. */
function pngHeaderSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function decodePngFile(bytes: Uint8Array, name: string): Decoded {
  // The size the header declares is checked before decoding: fast-png allocates the whole image first, so a small
  // file declaring 40000 x 40000 pixels would take gigabytes before its missing data showed.
  const declared = pngHeaderSize(bytes);
  if (declared && declared.width * declared.height > MAX_DECODED_PIXELS) throw tooLarge(name);
  const png = decodePng(bytes);
  if (png.width * png.height > MAX_DECODED_PIXELS) throw tooLarge(name);
  let samples = png.data as Uint8Array | Uint16Array;
  let channels = png.channels;
  if (png.palette) {
    samples = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
  } else if (png.depth !== 8 && png.depth !== 16) {
    throw new ChangeMapError(
      'UNSUPPORTED_DATA_TYPE',
      `"${name}" stores ${png.depth}-bit samples, which ChangeMap cannot read; save it with 8 or 16 bits per sample.`,
    );
  }
  return {
    width: png.width,
    height: png.height,
    channels,
    sampleType: samples instanceof Uint16Array ? 'uint16' : 'uint8',
    samples,
    compression: 'png',
    text: png.text ?? {},
  };
}

function tooLarge(name: string): ChangeMapError {
  return new ChangeMapError(
    'IMAGE_TOO_LARGE',
    `"${name}" has more than ${MAX_DECODED_PIXELS / 1e6} million pixels, too many to decode whole; convert it to a tiled GeoTIFF (gdal_translate -of COG).`,
  );
}

function toPlanar(decoded: Decoded): RasterArray[] {
  const { width, height, channels, samples } = decoded;
  const n = width * height;
  const planes = Array.from({ length: channels }, () =>
    samples instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n),
  );
  for (let b = 0; b < channels; b++) {
    const plane = planes[b];
    for (let i = 0, j = b; i < n; i++, j += channels) plane[i] = samples[j];
  }
  return planes;
}

/** A whole decoded image, band-planar, read in windows like any other raster. */
class DecodedImageSource implements RasterSource {
  private readonly alphaBand: number;
  constructor(
    readonly metadata: RasterMetadata,
    private planes: RasterArray[],
  ) {
    this.alphaBand = metadata.bandRoles.indexOf('alpha');
  }

  async readWindow(window: PixelWindow, options: ReadOptions = {}) {
    const { grid, nodata, sampleType } = this.metadata;
    if (options.signal?.aborted) throw new ChangeMapError('ABORTED', 'Reading the image was cancelled.');
    const { bands, data, valid } = blankWindow(this.metadata, window, options);
    const inside = intersectWindows(window, { x: 0, y: 0, width: grid.width, height: grid.height });
    if (!inside) return { data, valid };
    const cut = (plane: RasterArray): RasterArray => {
      const out = SAMPLE_TYPES[sampleType].create(inside.width * inside.height);
      for (let r = 0; r < inside.height; r++) {
        const start = (inside.y + r) * grid.width + inside.x;
        out.set(plane.subarray(start, start + inside.width), r * inside.width);
      }
      return out;
    };
    const rasters = bands.map((b) => cut(this.planes[b]));
    const alpha = this.alphaBand >= 0 ? cut(this.planes[this.alphaBand]) : null;
    placeBands(rasters, alpha, nodata, inside, window, data, valid);
    return { data, valid };
  }

  async close() {
    this.planes = [];
  }
}
