// Opens one GeoTIFF (local file or COG over HTTP(S)) with geotiff.js and reads windows of it. Everything that
// can be checked before reading pixels is checked at open, so bad input fails early with its own code.
import { open as openFile, stat } from 'node:fs/promises';
import {
  fromCustomClient,
  fromFile,
  fromUrl,
  getDecoder,
  type BaseDecoder,
  type GeoTIFF,
  type GeoTIFFImage,
  type Pool,
} from 'geotiff';
import { ChangeMapError } from '../../core/errors';
import { acquisitionDate } from '../../core/raster/acquisitionDate';
import { guessBandRoles } from '../../core/raster/bandRoles';
import { SAMPLE_TYPES, sampleTypeFromTiff, type RasterArray } from '../../core/raster/sampleTypes';
import { checkTiffDirectories, type DirectoryProblem } from '../../core/raster/tiffDirectories';
import type { GeoTransform, GridSpec, PixelWindow } from '../../core/raster/types';
import { placeBands } from '../../core/raster/placeBands';
import { intersectWindows } from '../../core/raster/window';
import { crsFromEpsg, PIXEL_CRS, PIXEL_GEOTRANSFORM } from './crs';
import { blankWindow, type RasterMetadata, type RasterSource, type ReadOptions } from './rasterSource';
import {
  answerNoSoonerThan,
  REMOTE_FAILURE_FLOOR_MS,
  remoteFailures,
  unreadableAddress,
  type RemoteFailureLimit,
} from './remoteAddress';
import { readSidecars, sidecarGeoreference } from './sidecars';
import { SignedAssetClient } from './signedAssetClient';
import { assetSigner } from '../stac/assetSigning';
import { useZlibDeflate } from './zlibDecoder';

// DEFLATE tiles decode through Node's zlib on this thread (geotiff.js's default is pure-JavaScript pako).
useZlibDeflate();

const COMPRESSIONS: Record<number, string> = {
  1: 'none',
  5: 'lzw',
  6: 'jpeg',
  7: 'jpeg',
  8: 'deflate',
  32946: 'deflate',
  32773: 'packbits',
  34887: 'lerc',
  50000: 'zstd',
  50001: 'webp',
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Smallest image side ChangeMap accepts: a model chip needs room, and 1 x 1 "images" are usually broken exports. */
export const MIN_IMAGE_SIDE = 8;

export interface OpenOptions {
  signal?: AbortSignal;
  /** geotiff.js decoder pool (worker threads); decoding happens on the calling thread without one. */
  pool?: Pool;
  /** HTTP: give up when the server sends nothing for this long (ms). Default 15000. */
  httpTimeoutMs?: number;
  /** HTTP: the failed-read limit to count against (default: the process's, remoteAddress.ts). */
  remoteFailures?: RemoteFailureLimit;
  /** HTTP: the least time a failed read takes to answer (default REMOTE_FAILURE_FLOOR_MS). */
  remoteFailureFloorMs?: number;
}

export async function openGeoTiff(uri: string, options: OpenOptions = {}): Promise<RasterSource> {
  const remote = /^https?:\/\//i.test(uri);
  const name = uri.split(/[\\/]/).pop() ?? uri;
  let fileSize = Infinity;
  let failRemote: ((error: unknown) => Promise<ChangeMapError>) | null = null;
  let tiff: GeoTIFF;
  if (remote) {
    const limit = options.remoteFailures ?? remoteFailures;
    limit.check(uri);
    const startedAt = Date.now();
    const timeoutSignal = AbortSignal.timeout(options.httpTimeoutMs ?? 15_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeoutSignal]) : timeoutSignal;
    failRemote = async (error) => {
      if (options.signal?.aborted)
        return new ChangeMapError('ABORTED', 'Opening the image was cancelled.', { cause: error });
      // One answer, after the same minimum time, for every network failure (remoteAddress.ts says why).
      limit.record();
      await answerNoSoonerThan(startedAt, options.remoteFailureFloorMs ?? REMOTE_FAILURE_FLOOR_MS);
      return unreadableAddress(uri, error);
    };
    try {
      // Addresses on storage that needs a token are signed at each request (the project keeps them unsigned).
      tiff = assetSigner().storageOf(uri)
        ? await fromCustomClient(new SignedAssetClient(uri), { allowFullFile: false }, signal)
        : await fromUrl(uri, { allowFullFile: false }, signal);
    } catch (error) {
      throw await failRemote(error);
    }
  } else {
    fileSize = await checkLocalFile(uri, name);
    try {
      tiff = await fromFile(uri, options.signal);
    } catch (error) {
      throw new ChangeMapError(
        'TIFF_TRUNCATED',
        `"${name}" is damaged or cut short: its TIFF header cannot be read.`,
        {
          cause: error,
        },
      );
    }
  }
  try {
    return await describe(tiff, uri, name, fileSize, options, remote);
  } catch (error) {
    await tiff.close();
    if (error instanceof ChangeMapError) throw error;
    if (failRemote) throw await failRemote(error);
    throw new ChangeMapError(
      'TIFF_TRUNCATED',
      `"${name}" is damaged or cut short: its image directory cannot be read.`,
      {
        cause: error,
      },
    );
  }
}

async function checkLocalFile(path: string, name: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new ChangeMapError(
      'FILE_NOT_FOUND',
      `"${name}" cannot be opened: the file does not exist or is not readable.`,
      {
        cause: error,
      },
    );
  }
  if (size === 0) throw new ChangeMapError('FILE_EMPTY', `"${name}" is empty (0 bytes).`);
  const handle = await openFile(path, 'r');
  const head = new Uint8Array(8);
  try {
    await handle.read(head, 0, 8, 0);
    const le = head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43) && head[3] === 0;
    const be = head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && (head[3] === 42 || head[3] === 43);
    if (le || be) {
      if (size < 16)
        throw new ChangeMapError('TIFF_TRUNCATED', `"${name}" is cut short: only ${size} bytes.`);
      const read = async (offset: number, length: number) => {
        const bytes = new Uint8Array(length);
        const { bytesRead } = await handle.read(bytes, 0, length, offset);
        return bytes.subarray(0, bytesRead);
      };
      const problem = await checkTiffDirectories(read, size, MAX_TIFF_IMAGES);
      if (problem) throw directoryError(problem, name, size);
      return size;
    }
  } finally {
    await handle.close();
  }
  const kind =
    head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47
      ? 'a PNG image'
      : head[0] === 0xff && head[1] === 0xd8
        ? 'a JPEG image'
        : head[0] === 0x3c
          ? 'a text or XML file'
          : 'not a TIFF';
  throw new ChangeMapError('NOT_A_TIFF', `"${name}" is ${kind}, not a GeoTIFF, whatever its name says.`);
}

async function describe(
  tiff: GeoTIFF,
  uri: string,
  name: string,
  fileSize: number,
  options: OpenOptions,
  remote: boolean,
): Promise<RasterSource> {
  const image = await tiff.getImage(0);
  const fd = image.fileDirectory;
  const width = image.getWidth();
  const height = image.getHeight();
  const bandCount = image.getSamplesPerPixel();
  if (!(width > 0 && height > 0 && bandCount > 0)) {
    // geotiff.js reads past the end of a cut-short file as zeros: an empty directory means the file ends early.
    throw new ChangeMapError(
      'TIFF_TRUNCATED',
      `"${name}" is damaged or cut short: its image directory is missing.`,
    );
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new ChangeMapError(
      'IMAGE_TOO_SMALL',
      `"${name}" is only ${width} x ${height} pixels; ChangeMap needs at least ${MIN_IMAGE_SIDE} x ${MIN_IMAGE_SIDE}.`,
    );
  }
  const compressionId = (fd.getValue('Compression') as number | undefined) ?? 1;
  const compression = COMPRESSIONS[compressionId];
  if (!compression) {
    throw new ChangeMapError(
      'UNSUPPORTED_COMPRESSION',
      `"${name}" uses TIFF compression ${compressionId}, which ChangeMap cannot decode; re-save it with DEFLATE or LZW.`,
    );
  }
  const bits = Array.from((fd.getValue('BitsPerSample') as ArrayLike<number> | undefined) ?? [1]);
  const formats = Array.from((fd.getValue('SampleFormat') as ArrayLike<number> | undefined) ?? [1]);
  const sampleType = sampleTypeFromTiff(bits[0], formats[0]);
  if (!sampleType || bits.some((b) => b !== bits[0])) {
    throw new ChangeMapError(
      'UNSUPPORTED_DATA_TYPE',
      `"${name}" stores ${bits.join('/')}-bit samples of format ${formats[0]}, which ChangeMap cannot read.`,
    );
  }
  // A table pointing past the end of the file says "cut short"; then the table must describe the whole image.
  if (!remote) await checkDataIsThere(image, name, fileSize, width, height);
  await checkBlockLayout(image, name, width, height, bandCount, bits, compressionId);

  let grid = readGrid(image, name, width, height);
  // Local files: an .aux.xml, world file or .prj beside the TIFF georeferences it when its tags do not.
  const sidecars = remote ? null : await readSidecars(uri, { worldFileFirst: false });
  const sidecarGrid = sidecars && grid.crs.code === null ? sidecarGeoreference(sidecars, name) : null;
  if (sidecarGrid) grid = { ...grid, ...sidecarGrid };
  const photometric = fd.getValue('PhotometricInterpretation') as number | undefined;
  const extraSamples = fd.hasTag('ExtraSamples')
    ? Array.from(fd.getValue('ExtraSamples') as ArrayLike<number>)
    : undefined;
  const labels: (string | undefined)[] = [];
  const wavelengthsUm: (number | undefined)[] = [];
  for (let b = 0; b < bandCount; b++) {
    const meta = (await image.getGDALMetadata(b).catch(() => null)) ?? {};
    labels.push((meta.COLORINTERP ?? meta.DESCRIPTION) as string | undefined);
    const unit = String(meta.wavelength_units ?? 'micrometers').toLowerCase();
    const wl = Number(meta.wavelength ?? meta.CENTRAL_WAVELENGTH_UM ?? NaN);
    wavelengthsUm.push(Number.isFinite(wl) ? (unit.startsWith('nano') ? wl / 1000 : wl) : undefined);
  }
  const datasetMeta = (await image.getGDALMetadata().catch(() => null)) ?? {};
  const overviews: { width: number; height: number }[] = [];
  const count = await countImages(tiff, name, fileSize);
  for (let i = 1; i < count; i++) {
    const ov = await tiff.getImage(i);
    if (ov.getSamplesPerPixel() === bandCount && ov.getWidth() < width)
      overviews.push({ width: ov.getWidth(), height: ov.getHeight() });
  }
  const bandRoles = guessBandRoles({
    bandCount,
    sampleType,
    photometric,
    extraSamples,
    labels,
    wavelengthsUm,
  });
  const metadata: RasterMetadata = {
    uris: [uri],
    grid,
    bandCount,
    sampleType,
    nodata: image.getGDALNoData() ?? sidecars?.nodata ?? null,
    bandRoles,
    acquiredAt: acquisitionDate({
      metadata: { ...datasetMeta, ...sidecars?.metadata },
      fileName: name,
      fileDateTime: fd.hasTag('DateTime') ? String(await fd.loadValue('DateTime')) : null,
    }),
    overviews,
    compression,
  };
  return new GeoTiffSource(tiff, image, metadata, options.pool);
}

/** Most image directories (full image plus overviews and masks) one file may chain; GDAL's COGs use a handful. */
export const MAX_TIFF_IMAGES = 256;

/**
 * Counts the chained image directories, refusing a chain that loops back on itself: geotiff.js's getImageCount
 * follows next-IFD pointers forever (a self-pointing IFD grew to 4 GB).
 */
async function countImages(tiff: GeoTIFF, name: string, fileSize: number): Promise<number> {
  const seen = new Set<number>([tiff.firstIFDOffset]);
  for (let index = 0; ; index++) {
    const next = (await tiff.getImage(index)).fileDirectory.nextIFDByteOffset;
    // A pointer past the end leads nowhere readable: the images before it are all there is.
    if (next === 0 || next >= fileSize) return index + 1;
    if (seen.has(next)) throw directoryError({ kind: 'cycle' }, name, fileSize);
    if (seen.size >= MAX_TIFF_IMAGES)
      throw directoryError({ kind: 'too-many', max: MAX_TIFF_IMAGES }, name, fileSize);
    seen.add(next);
  }
}

/** One sentence with a code for each way a directory chain is broken (see core/raster/tiffDirectories). */
function directoryError(problem: DirectoryProblem, name: string, fileSize: number): ChangeMapError {
  switch (problem.kind) {
    case 'cycle':
      return new ChangeMapError(
        'TIFF_IFD_CYCLE',
        `"${name}" is damaged: its image directories point back to each other in a loop; re-export it (for example with gdal_translate).`,
      );
    case 'too-many':
      return new ChangeMapError(
        'TIFF_TOO_MANY_IMAGES',
        `"${name}" chains more than ${problem.max} image directories; re-export it as a single image with overviews (gdal_translate -of COG).`,
      );
    case 'directory-outside':
      return new ChangeMapError(
        'TIFF_TRUNCATED',
        `"${name}" is damaged or cut short: its image directory at byte ${problem.at} lies past the end of the file (${fileSize} bytes); re-export it.`,
      );
    case 'bad-type':
      return new ChangeMapError(
        'TIFF_DIRECTORY_INVALID',
        `"${name}" is damaged: tag ${problem.tag} has field type ${problem.type}, which TIFF does not define; re-export it.`,
      );
    case 'values-outside':
      return new ChangeMapError(
        'TIFF_TRUNCATED',
        `"${name}" is damaged or cut short: tag ${problem.tag} declares ${problem.count} values, which would end at byte ${problem.end}, past the end of the file (${fileSize} bytes); re-export it.`,
      );
  }
}

/**
 * Largest output per input byte of each lossless codec (DEFLATE's is 1032:1; LZW's 12-bit codes emit at most 4096
 * bytes each; PackBits 128 bytes per 2): a block declaring more pixels than its bytes can expand to is missing data.
 * Other codecs (JPEG, ZSTD, LERC, WebP) are only checked for empty blocks.
 */
const MAX_EXPANSION: Record<number, number> = { 1: 1, 5: 3641, 8: 1032, 32946: 1032, 32773: 64 };

/** Tile or strip sizes and the number of blocks must describe the image: zero sizes or a short table are damage. */
async function checkBlockLayout(
  image: GeoTIFFImage,
  name: string,
  width: number,
  height: number,
  bandCount: number,
  bits: number[],
  compressionId: number,
) {
  const fd = image.fileDirectory;
  const tiled = fd.hasTag('TileOffsets') || fd.hasTag('TileWidth');
  const tw = tiled ? Number(fd.getValue('TileWidth') ?? 0) : width;
  const th = tiled
    ? Number(fd.getValue('TileLength') ?? 0)
    : Math.min(height, Number(fd.getValue('RowsPerStrip') ?? height) || height);
  if (!(Number.isInteger(tw) && tw > 0 && Number.isInteger(th) && th > 0)) {
    throw new ChangeMapError(
      'TIFF_BLOCK_INVALID',
      `"${name}" declares ${tiled ? `tiles of ${tw} x ${th}` : `strips of ${th} rows`} pixels, which cannot hold an image; the file is damaged, re-export it.`,
    );
  }
  const separate = image.planarConfiguration === 2;
  const blocks = Math.ceil(width / tw) * Math.ceil(height / th) * (separate ? bandCount : 1);
  const offsets = (await fd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as
    ArrayLike<number> | undefined;
  const counts = (await fd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as
    ArrayLike<number> | undefined;
  if (!offsets || !counts || offsets.length < blocks || counts.length < blocks) {
    throw new ChangeMapError(
      'TIFF_TRUNCATED',
      `"${name}" claims ${width} x ${height} pixels in ${blocks} ${tiled ? 'tiles' : 'strips'} but lists only ${Math.min(offsets?.length ?? 0, counts?.length ?? 0)}; the file is damaged, re-export it.`,
    );
  }
  const pixelBits = separate ? Math.max(...bits) : bits.reduce((a, b) => a + b, 0);
  const expansion = MAX_EXPANSION[compressionId] ?? Infinity;
  const across = Math.ceil(width / tw);
  for (let i = 0; i < blocks; i++) {
    // Strips: the last one holds only the rows that are left.
    const row = Math.floor((i % (across * Math.ceil(height / th))) / across);
    const rows = tiled ? th : Math.min(th, height - row * th);
    const needed = Math.ceil((tw * pixelBits) / 8) * rows;
    const have = Number(counts[i]);
    if (!(have > 0) || have * expansion < needed) {
      throw new ChangeMapError(
        'TIFF_DATA_MISSING',
        `"${name}" claims ${width} x ${height} pixels but ${tiled ? 'tile' : 'strip'} ${i + 1} holds ${have} bytes, too few for its ${needed}; the pixel data is missing, re-export the file.`,
      );
    }
  }
}

/** Every strip or tile must lie inside the file: catches truncated files and headers that promise absent data. */
async function checkDataIsThere(
  image: GeoTIFFImage,
  name: string,
  fileSize: number,
  width: number,
  height: number,
) {
  const fd = image.fileDirectory;
  const tiled = fd.hasTag('TileOffsets');
  const offsets = (await fd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as
    ArrayLike<number> | undefined;
  const counts = (await fd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as
    ArrayLike<number> | undefined;
  if (!offsets || !counts || offsets.length !== counts.length) {
    throw new ChangeMapError('TIFF_TRUNCATED', `"${name}" has no pixel data table; the file is damaged.`);
  }
  let end = 0;
  for (let i = 0; i < offsets.length; i++)
    if (counts[i] > 0) end = Math.max(end, Number(offsets[i]) + Number(counts[i]));
  if (end > fileSize) {
    throw new ChangeMapError(
      'TIFF_TRUNCATED',
      `"${name}" claims ${width} x ${height} pixels but the file ends before its data (${fileSize} of ${end} bytes).`,
    );
  }
}

function readGrid(image: GeoTIFFImage, name: string, width: number, height: number): GridSpec {
  const fd = image.fileDirectory;
  const hasTransform = fd.hasTag('ModelTransformation');
  const hasTiepoint = fd.hasTag('ModelTiepoint') && fd.hasTag('ModelPixelScale');
  if (!hasTransform && !hasTiepoint) {
    return { width, height, geoTransform: PIXEL_GEOTRANSFORM, crs: PIXEL_CRS };
  }
  let gt: GeoTransform;
  if (hasTransform) {
    const m = Array.from(fd.getValue('ModelTransformation') as ArrayLike<number>);
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]];
  } else {
    const [ox, oy] = image.getOrigin();
    const [rx, ry] = image.getResolution();
    gt = [ox, rx, 0, oy, 0, ry];
  }
  const keys = (image.getGeoKeys() ?? {}) as Record<string, unknown>;
  // GDAL's convention: PixelIsPoint moves the origin half a pixel up-left (GTIFF_POINT_GEO_IGNORE=NO).
  if (keys.GTRasterTypeGeoKey === 2) {
    gt = [gt[0] - gt[1] / 2 - gt[2] / 2, gt[1], gt[2], gt[3] - gt[4] / 2 - gt[5] / 2, gt[4], gt[5]];
  }
  const model = keys.GTModelTypeGeoKey;
  const code = (
    model === 2 ? keys.GeographicTypeGeoKey : (keys.ProjectedCSTypeGeoKey ?? keys.GeographicTypeGeoKey)
  ) as number | undefined;
  if (code === undefined || code === 32767) {
    const found = [keys.GTCitationGeoKey, keys.PCSCitationGeoKey, keys.GeogCitationGeoKey]
      .filter(Boolean)
      .join('; ');
    throw new ChangeMapError(
      'CRS_USER_DEFINED',
      `"${name}" uses a user-defined CRS (${found || 'no EPSG code in its GeoKeys'}); reproject it to an EPSG CRS first.`,
    );
  }
  return { width, height, geoTransform: gt, crs: crsFromEpsg(code) };
}

class GeoTiffSource implements RasterSource {
  private readonly alphaBand: number;
  /** Whether readBlocks can copy this file's tiles with typed arrays (see there); readRasters otherwise. */
  private readonly fastCopy: boolean;
  private decoder: Promise<BaseDecoder> | null = null;
  private closing: Promise<void> | null = null;
  constructor(
    private readonly tiff: GeoTIFF,
    private readonly image: GeoTIFFImage,
    readonly metadata: RasterMetadata,
    private readonly pool: Pool | undefined,
  ) {
    this.alphaBand = metadata.bandRoles.indexOf('alpha');
    const compression = (image.fileDirectory.getValue('Compression') as number | undefined) ?? 1;
    const bytes = SAMPLE_TYPES[metadata.sampleType].create(0).BYTES_PER_ELEMENT;
    this.fastCopy =
      !pool &&
      image.littleEndian === HOST_LITTLE_ENDIAN &&
      [1, 5, 8, 32946, 32773].includes(compression) &&
      [1, 2, 4, 8].includes(bytes) &&
      image.getBitsPerSample() === bytes * 8;
  }

  /**
   * Reads a window tile by tile (or strip by strip) through geotiff.js's decoders, copying samples with typed
   * arrays. geotiff.js's own readRasters copies every sample through a DataView getter call, which took 40% of
   * a run's reading time. Only for byte-aligned samples in the host's byte order without a decoder pool.
   */
  private async readBlocks(
    win: PixelWindow,
    samples: number[],
    signal: AbortSignal | undefined,
    /** Arrays of win's size to decode the first samples into (the caller's own bands), instead of fresh ones. */
    into: RasterArray[] = [],
  ): Promise<RasterArray[]> {
    const image = this.image;
    const create = SAMPLE_TYPES[this.metadata.sampleType].create;
    this.decoder ??= (async () => {
      const fd = image.fileDirectory;
      const compression = (fd.getValue('Compression') as number | undefined) ?? 1;
      return getDecoder(compression, {
        tileWidth: image.getTileWidth(),
        tileHeight: image.getTileHeight(),
        planarConfiguration: image.planarConfiguration,
        bitsPerSample: (await fd.loadValue('BitsPerSample')) as number[],
        predictor: ((await fd.loadValue('Predictor')) as number | undefined) || 1,
      });
    })();
    const decoder = await this.decoder;
    const out = samples.map((_, k) => into[k] ?? create(win.width * win.height));
    const tw = image.getTileWidth();
    const th = image.getTileHeight();
    const spp = image.getSamplesPerPixel();
    const chunky = image.planarConfiguration === 1;
    const jobs: Promise<void>[] = [];
    for (let ty = Math.floor(win.y / th); ty * th < win.y + win.height; ty++) {
      for (let tx = Math.floor(win.x / tw); tx * tw < win.x + win.width; tx++) {
        const blocks = chunky ? [0] : samples;
        for (const sample of blocks) {
          jobs.push(
            image.getTileOrStrip(tx, ty, sample, decoder, signal).then((tile) => {
              const block = create(0).constructor as new (b: ArrayBufferLike) => RasterArray;
              const values = new block(tile.data);
              const x0 = Math.max(win.x, tx * tw);
              const x1 = Math.min(win.x + win.width, (tx + 1) * tw);
              const y0 = Math.max(win.y, ty * th);
              const y1 = Math.min(win.y + win.height, ty * th + image.getBlockHeight(ty));
              const pixelStride = chunky ? spp : 1;
              for (let k = 0; k < samples.length; k++) {
                if (!chunky && samples[k] !== sample) continue;
                const dst = out[k];
                const offset = chunky ? samples[k] : 0;
                for (let y = y0; y < y1; y++) {
                  const src = ((y - ty * th) * tw + (x0 - tx * tw)) * pixelStride + offset;
                  const d = (y - win.y) * win.width - win.x;
                  if (pixelStride === 1) dst.set(values.subarray(src, src + x1 - x0), d + x0);
                  else for (let x = x0, i = src; x < x1; x++, i += pixelStride) dst[d + x] = values[i];
                }
              }
            }),
          );
        }
      }
    }
    await Promise.all(jobs);
    return out;
  }

  async readWindow(window: PixelWindow, options: ReadOptions = {}) {
    const { grid, nodata } = this.metadata;
    const { bands, data, valid } = blankWindow(this.metadata, window, options);
    const inside = intersectWindows(window, { x: 0, y: 0, width: grid.width, height: grid.height });
    if (!inside) return { data, valid };
    const samples =
      this.alphaBand >= 0 && !bands.includes(this.alphaBand) ? [...bands, this.alphaBand] : bands;
    // A window wholly inside the image is decoded straight into `data`'s bands: no second copy, no arrays to collect.
    const n = window.width * window.height;
    const direct = this.fastCopy && inside.width === window.width && inside.height === window.height && n > 0;
    let rasters: RasterArray[];
    try {
      rasters = this.fastCopy
        ? await this.readBlocks(
            inside,
            samples,
            options.signal,
            direct ? bands.map((_, k) => data.subarray(k * n, (k + 1) * n)) : [],
          )
        : ((await this.image.readRasters({
            window: [inside.x, inside.y, inside.x + inside.width, inside.y + inside.height],
            samples,
            interleave: false,
            pool: this.pool ?? null,
            signal: options.signal,
          })) as unknown as RasterArray[]);
    } catch (error) {
      if (options.signal?.aborted)
        throw new ChangeMapError('ABORTED', 'Reading the image was cancelled.', { cause: error });
      const name = this.metadata.uris[0].split(/[\\/]/).pop();
      if (error instanceof ChangeMapError)
        throw new ChangeMapError(error.code, `"${name}": ${error.message}`, { cause: error });
      throw new ChangeMapError(
        'READ_FAILED',
        `Pixels of "${name}" could not be read: the file may be damaged.`,
        {
          cause: error,
        },
      );
    }
    const alpha =
      samples.length > bands.length
        ? rasters[bands.length]
        : this.alphaBand >= 0
          ? rasters[bands.indexOf(this.alphaBand)]
          : null;
    placeBands(rasters.slice(0, bands.length), alpha, nodata, inside, window, data, valid, direct);
    return { data, valid };
  }

  /**
   * Once, whatever the callers do: geotiff.js's file source closes its raw descriptor on every call, and the number
   * is handed to the next file or socket opened. A second close then shut a descriptor someone else had since (a
   * scale-out run closes its pair again when it settles): a Redis or HTTP socket under libuv's epoll, which aborted
   * the whole process (SIGABRT in uv__epoll_ctl_flush).
   */
  close(): Promise<void> {
    this.closing ??= Promise.resolve(this.tiff.close()).then(() => undefined);
    return this.closing;
  }
}
