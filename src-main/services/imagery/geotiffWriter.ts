// Streaming, tiled GeoTIFF writer for the project's outputs (probability and mask rasters, previews, generated
// test scenes). Hand-written because geotiff.js's writer builds the whole image in memory, untiled: here tiles
// are compressed (DEFLATE via node:zlib, or LZW) and appended as windows arrive, in any order; internal overviews
// are built on the fly from completed tiles; the directories are written last. Memory holds only tiles that are
// partly written, so a raster of any size is written chunk by chunk.
// The 'cog' layout (files users take away) is GDAL's Cloud-Optimized GeoTIFF: tiles are staged in a scratch file,
// then copied behind the directories in the order the COG driver writes them (see writeCog).
import { open, rm, type FileHandle } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { ChangeMapError } from '../../core/errors';
import { downsampleByTwo, type OverviewResampling } from '../../core/raster/downsample';
import { geoTiffTags } from '../../core/raster/geoKeys';
import { lzwEncode } from '../../core/raster/lzw';
import { SAMPLE_TYPES, type RasterArray } from '../../core/raster/sampleTypes';
import { encodeHeader, encodeIfd, TiffType, type TiffTag } from '../../core/raster/tiffIfd';
import type { GridSpec, PixelWindow, SampleType } from '../../core/raster/types';

export interface GeoTiffWriterOptions {
  width: number;
  height: number;
  bands: number;
  sampleType: SampleType;
  /** Grid (size must equal width x height). Pixel-space grids (crs.code null) are written without georeference. */
  grid: GridSpec;
  /** Tile edge in pixels, a multiple of 16. Default 256. */
  tileSize?: number;
  compression?: 'deflate' | 'lzw' | 'none';
  /** DEFLATE level 1..9. Default 6; 1 is much faster for scratch files. */
  deflateLevel?: number;
  nodata?: number | null;
  /** Build internal overviews (halving until a level fits one tile). Default true. */
  overviews?: boolean;
  overviewResampling?: OverviewResampling;
  /** 'rgb': bands 1-3 are red, green, blue (Photometric RGB); 'rgba' adds band 4 as alpha. Default: plain data bands. */
  colour?: 'rgb' | 'rgba';
  /** BigTIFF: 'auto' (default) when the uncompressed size could pass 4 GB. */
  bigTiff?: boolean | 'auto';
  /**
   * 'streaming' (default): tiles in arrival order, directories at the end. 'cog': a Cloud-Optimized GeoTIFF as
   * GDAL's COG driver lays it out, which GDAL's validator accepts and gdalinfo reports as LAYOUT=COG.
   */
  layout?: 'streaming' | 'cog';
  /** Per band: scale and offset (value = raw x scale + offset, applied by GDAL and QGIS) and a description. */
  bandInfo?: BandInfo[];
}

export interface BandInfo {
  scale?: number;
  offset?: number;
  description?: string;
}

export interface GeoTiffWriter {
  /**
   * Writes a band-planar window (band b, row r, col c at b*h*w + r*w + c). Each pixel must be written once;
   * windows aligned to the tile grid are written straight through, others are buffered until their tiles fill.
   */
  writeWindow(window: PixelWindow, data: ArrayLike<number>): Promise<void>;
  /** Flushes partial tiles (unwritten pixels become nodata), writes overviews and directories. */
  close(): Promise<void>;
  /** Closes the file without finishing it (for a cancelled run). */
  abort(): Promise<void>;
}

interface PendingTile {
  data: RasterArray;
  filled: number;
}

/** One resolution level: its tile table and the tiles still being filled. */
class Level {
  readonly tilesAcross: number;
  readonly tilesDown: number;
  readonly offsets: number[];
  readonly counts: number[];
  readonly pending = new Map<number, PendingTile>();
  constructor(
    readonly width: number,
    readonly height: number,
    tileSize: number,
    bands: number,
  ) {
    this.tilesAcross = Math.ceil(width / tileSize);
    this.tilesDown = Math.ceil(height / tileSize);
    const n = this.tilesAcross * this.tilesDown * bands;
    this.offsets = new Array<number>(n).fill(0);
    this.counts = new Array<number>(n).fill(0);
  }
}

export async function createGeoTiffWriter(
  path: string,
  options: GeoTiffWriterOptions,
): Promise<GeoTiffWriter> {
  const { width, height, bands, sampleType, grid } = options;
  const tileSize = options.tileSize ?? 256;
  const compression = options.compression ?? 'deflate';
  const nodata = options.nodata ?? null;
  const method = options.overviewResampling ?? 'average';
  const info = SAMPLE_TYPES[sampleType];
  const integer = info.sampleFormat !== 3;
  if (!(width >= 1 && height >= 1 && bands >= 1) || grid.width !== width || grid.height !== height) {
    throw new ChangeMapError(
      'WRITER_BAD_SIZE',
      `Cannot write a ${width} x ${height} raster with ${bands} bands.`,
    );
  }
  if (tileSize % 16 !== 0 || tileSize < 16) {
    throw new ChangeMapError('WRITER_BAD_TILE', `Tile size ${tileSize} is not a multiple of 16.`);
  }
  const uncompressed = width * height * bands * info.bytes * (options.overviews === false ? 1 : 4 / 3);
  const bigTiff =
    options.bigTiff === 'auto' || options.bigTiff === undefined ? uncompressed > 3.9e9 : options.bigTiff;
  const geoTags = geoTiffTags(grid); // fails early on a CRS without an EPSG code

  const levels: Level[] = [new Level(width, height, tileSize, bands)];
  if (options.overviews !== false) {
    let w = width;
    let h = height;
    while (w > tileSize || h > tileSize) {
      w = Math.ceil(w / 2);
      h = Math.ceil(h / 2);
      levels.push(new Level(w, h, tileSize, bands));
    }
  }

  const cog = options.layout === 'cog';
  const gdalMetadata = gdalMetadataXml(options.bandInfo ?? []);
  // A COG's tiles go behind its directories, whose size is only known at the end: stage them beside the file.
  const stagingPath = `${path}.tiles`;
  const file: FileHandle = await open(cog ? stagingPath : path, cog ? 'w+' : 'w');
  let end = cog ? 0 : bigTiff ? 16 : 8;
  let failed: unknown = null;
  let closed = false;
  const tilePixels = tileSize * tileSize;

  const newTile = (): RasterArray => {
    const t = info.create(bands * tilePixels);
    if (nodata !== null && nodata !== 0) t.fill(nodata);
    return t;
  };

  const encode = (plane: RasterArray): Uint8Array => {
    const raw = new Uint8Array(plane.buffer, plane.byteOffset, plane.byteLength);
    // Node's zlib (native): 6x faster than fflate's JavaScript deflate at the same level and size, which made
    // assembling a run's probability raster a tenth of its time (issue 15).
    if (compression === 'deflate') return deflateSync(raw, { level: options.deflateLevel ?? 6 });
    if (compression === 'lzw') return lzwEncode(raw);
    return raw.slice();
  };

  const append = async (bytes: Uint8Array): Promise<number> => {
    const at = end;
    end += bytes.length;
    await file.write(bytes, 0, bytes.length, at);
    return at;
  };

  /** Compresses and appends a finished tile, then feeds its halved copy to the next level. */
  const finishTile = async (levelIndex: number, tx: number, ty: number, tile: RasterArray): Promise<void> => {
    const level = levels[levelIndex];
    const tileIndex = ty * level.tilesAcross + tx;
    const perBand = level.tilesAcross * level.tilesDown;
    for (let b = 0; b < bands; b++) {
      const plane = tile.subarray(b * tilePixels, (b + 1) * tilePixels) as RasterArray;
      const bytes = encode(plane);
      level.offsets[b * perBand + tileIndex] = await append(bytes);
      level.counts[b * perBand + tileIndex] = bytes.length;
    }
    if (levelIndex + 1 < levels.length) {
      const vw = Math.min(tileSize, level.width - tx * tileSize);
      const vh = Math.min(tileSize, level.height - ty * tileSize);
      const compact = vw === tileSize && vh === tileSize ? tile : compactTile(tile, vw, vh);
      const half = info.create(bands * Math.ceil(vw / 2) * Math.ceil(vh / 2));
      downsampleByTwo(compact, vw, vh, bands, half, method, nodata, integer);
      const hx = (tx * tileSize) / 2;
      const hy = (ty * tileSize) / 2;
      await writeToLevel(
        levelIndex + 1,
        { x: hx, y: hy, width: Math.ceil(vw / 2), height: Math.ceil(vh / 2) },
        half,
      );
    }
  };

  const compactTile = (tile: RasterArray, vw: number, vh: number): RasterArray => {
    const out = info.create(bands * vw * vh);
    for (let b = 0; b < bands; b++) {
      for (let r = 0; r < vh; r++) {
        const from = b * tilePixels + r * tileSize;
        out.set(tile.subarray(from, from + vw), b * vw * vh + r * vw);
      }
    }
    return out;
  };

  const writeToLevel = async (
    levelIndex: number,
    win: PixelWindow,
    data: ArrayLike<number>,
  ): Promise<void> => {
    const level = levels[levelIndex];
    const tx0 = Math.floor(win.x / tileSize);
    const ty0 = Math.floor(win.y / tileSize);
    const tx1 = Math.floor((win.x + win.width - 1) / tileSize);
    const ty1 = Math.floor((win.y + win.height - 1) / tileSize);
    const plane = win.width * win.height;
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        const tileIndex = ty * level.tilesAcross + tx;
        const x0 = Math.max(win.x, tx * tileSize);
        const y0 = Math.max(win.y, ty * tileSize);
        const x1 = Math.min(win.x + win.width, (tx + 1) * tileSize, level.width);
        const y1 = Math.min(win.y + win.height, (ty + 1) * tileSize, level.height);
        const w = x1 - x0;
        const h = y1 - y0;
        let pending = level.pending.get(tileIndex);
        const tile = pending?.data ?? newTile();
        for (let b = 0; b < bands; b++) {
          for (let r = 0; r < h; r++) {
            const src = b * plane + (y0 - win.y + r) * win.width + (x0 - win.x);
            const dst = b * tilePixels + (y0 - ty * tileSize + r) * tileSize + (x0 - tx * tileSize);
            if (ArrayBuffer.isView(data)) {
              tile.set((data as RasterArray).subarray(src, src + w), dst);
            } else {
              for (let c = 0; c < w; c++) tile[dst + c] = data[src + c];
            }
          }
        }
        const full =
          Math.min(tileSize, level.width - tx * tileSize) * Math.min(tileSize, level.height - ty * tileSize);
        const filled = (pending?.filled ?? 0) + w * h;
        if (filled >= full) {
          level.pending.delete(tileIndex);
          await finishTile(levelIndex, tx, ty, tile);
        } else if (pending) {
          pending.filled = filled;
        } else {
          pending = { data: tile, filled };
          level.pending.set(tileIndex, pending);
        }
      }
    }
  };

  // Writes are serialised: tiles are appended in call order and the pending maps are never raced.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (job: () => Promise<void>): Promise<void> => {
    const next = queue.then(async () => {
      if (failed) throw failed;
      try {
        await job();
      } catch (error) {
        failed = error;
        throw error;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };

  const ifdTags = (levelIndex: number, offsets: number[], counts: number[]): TiffTag[] => {
    const level = levels[levelIndex];
    const offsetType = bigTiff ? TiffType.LONG8 : TiffType.LONG;
    const tags: TiffTag[] = [
      { tag: 254, type: TiffType.LONG, values: [levelIndex === 0 ? 0 : 1] },
      { tag: 256, type: TiffType.LONG, values: [level.width] },
      { tag: 257, type: TiffType.LONG, values: [level.height] },
      { tag: 258, type: TiffType.SHORT, values: new Array<number>(bands).fill(info.bitsPerSample) },
      {
        tag: 259,
        type: TiffType.SHORT,
        values: [compression === 'deflate' ? 8 : compression === 'lzw' ? 5 : 1],
      },
      // MinIsBlack: bands are data, not colours, unless the caller says they are RGB(A)
      { tag: 262, type: TiffType.SHORT, values: [options.colour && bands >= 3 ? 2 : 1] },
      { tag: 277, type: TiffType.SHORT, values: [bands] },
      { tag: 284, type: TiffType.SHORT, values: [2] }, // planar: one tile per band, as the data arrives
      { tag: 322, type: TiffType.LONG, values: [tileSize] },
      { tag: 323, type: TiffType.LONG, values: [tileSize] },
      { tag: 324, type: offsetType, values: offsets },
      { tag: 325, type: offsetType, values: counts },
      { tag: 339, type: TiffType.SHORT, values: new Array<number>(bands).fill(info.sampleFormat) },
    ];
    if (bands > 1)
      tags.push({ tag: 338, type: TiffType.SHORT, values: new Array<number>(bands - 1).fill(0) });
    if (nodata !== null) tags.push({ tag: 42113, type: TiffType.ASCII, values: formatNodata(nodata) });
    if (levelIndex === 0) tags.push(...geoTags);
    if (levelIndex === 0 && gdalMetadata)
      tags.push({ tag: 42112, type: TiffType.ASCII, values: gdalMetadata });
    return tags;
  };

  /**
   * Lays the staged tiles out as GDAL's COG driver does: header, the "ghost area" naming the layout, every
   * directory (full resolution first), then the tiles from the smallest overview to the full resolution, each
   * row by row, each tile preceded by its size (uint32) and followed by its last 4 bytes again.
   */
  const writeCog = async (): Promise<void> => {
    const ghost = ghostArea(bands);
    const headerSize = bigTiff ? 16 : 8;
    let at = headerSize + ghost.length;
    at += at % 2;
    // Directory sizes do not depend on the offsets they hold: size them first, then place the tiles after them.
    const ifdAt = levels.map((level, i) => {
      const here = at;
      at += encodeIfd(ifdTags(i, level.offsets, level.counts), here, bigTiff).bytes.length;
      return here;
    });
    const placed = levels.map((level) => new Array<number>(level.offsets.length).fill(0));
    for (let i = levels.length - 1; i >= 0; i--) {
      for (let k = 0; k < levels[i].counts.length; k++) {
        placed[i][k] = at + 4;
        at += 4 + levels[i].counts[k] + 4;
      }
    }
    if (!bigTiff && at > 0xffffffff) {
      throw new ChangeMapError('WRITER_TOO_BIG', 'The raster grew past 4 GB; write it as BigTIFF.');
    }
    const head = new Uint8Array(ifdAt[0]); // header, ghost area and padding
    head.set(encodeHeader(ifdAt[0], bigTiff));
    head.set(ghost, headerSize);
    const out = await open(path, 'w');
    try {
      let pos = 0;
      const buffer = new Uint8Array(1 << 20);
      let used = 0;
      const flush = async () => {
        await out.write(buffer, 0, used, pos);
        pos += used;
        used = 0;
      };
      const put = async (bytes: Uint8Array) => {
        if (used + bytes.length > buffer.length) await flush();
        if (bytes.length > buffer.length) {
          await out.write(bytes, 0, bytes.length, pos);
          pos += bytes.length;
        } else {
          buffer.set(bytes, used);
          used += bytes.length;
        }
      };
      await put(head.subarray(0, ifdAt[0]));
      for (let i = 0; i < levels.length; i++) {
        const ifd = encodeIfd(ifdTags(i, placed[i], levels[i].counts), ifdAt[i], bigTiff);
        const next = i + 1 < levels.length ? ifdAt[i + 1] : 0;
        ifd.bytes.set(pointerBytes(next, bigTiff), ifd.nextPointerAt);
        await put(ifd.bytes);
      }
      const leader = new Uint8Array(4);
      for (let i = levels.length - 1; i >= 0; i--) {
        const { offsets, counts } = levels[i];
        for (let k = 0; k < counts.length; k++) {
          const tile = new Uint8Array(counts[k]);
          await file.read(tile, 0, tile.length, offsets[k]);
          new DataView(leader.buffer).setUint32(0, tile.length, true);
          await put(leader);
          await put(tile);
          await put(tile.slice(Math.max(0, tile.length - 4))); // trailer: the last 4 bytes repeated
        }
      }
      await flush();
    } finally {
      await out.close();
    }
  };

  return {
    writeWindow(window, data) {
      if (closed)
        return Promise.reject(new ChangeMapError('WRITER_CLOSED', 'The GeoTIFF writer is already closed.'));
      const { x, y, width: w, height: h } = window;
      if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
        return Promise.reject(
          new ChangeMapError(
            'WRITER_BAD_WINDOW',
            `Window ${w}x${h}+${x}+${y} is outside the ${width}x${height} raster.`,
          ),
        );
      }
      if (data.length !== w * h * bands) {
        return Promise.reject(
          new ChangeMapError(
            'WRITER_BAD_WINDOW',
            `Window data has ${data.length} values, expected ${w * h * bands}.`,
          ),
        );
      }
      return enqueue(() => writeToLevel(0, window, data));
    },
    async close() {
      if (closed) return;
      closed = true;
      await enqueue(async () => {
        // Partly written tiles become complete with nodata; completing them feeds the next level.
        for (let i = 0; i < levels.length; i++) {
          const level = levels[i];
          for (const [tileIndex, tile] of [...level.pending].sort((a, b) => a[0] - b[0])) {
            level.pending.delete(tileIndex);
            await finishTile(
              i,
              tileIndex % level.tilesAcross,
              Math.floor(tileIndex / level.tilesAcross),
              tile.data,
            );
          }
        }
        // Never-written tiles all point at one shared nodata tile, so every reader sees nodata there.
        let emptyAt = -1;
        let emptyLength = 0;
        for (const level of levels) {
          for (let i = 0; i < level.counts.length; i++) {
            if (level.counts[i] !== 0) continue;
            if (emptyAt < 0) {
              const bytes = encode(newTile().subarray(0, tilePixels) as RasterArray);
              emptyLength = bytes.length;
              emptyAt = await append(bytes);
            }
            level.offsets[i] = emptyAt;
            level.counts[i] = emptyLength;
          }
        }
        if (cog) {
          await writeCog();
          return;
        }
        // Directories, chained main image first, then overviews from largest to smallest.
        let firstIfd = 0;
        let previousPointer = -1;
        for (let i = 0; i < levels.length; i++) {
          if (end % 2) await append(new Uint8Array(1)); // IFDs start on a word boundary
          const at = end;
          const ifd = encodeIfd(ifdTags(i, levels[i].offsets, levels[i].counts), at, bigTiff);
          await append(ifd.bytes);
          if (i === 0) firstIfd = at;
          else await file.write(pointerBytes(at, bigTiff), 0, bigTiff ? 8 : 4, previousPointer);
          previousPointer = at + ifd.nextPointerAt;
        }
        if (!bigTiff && end > 0xffffffff) {
          throw new ChangeMapError('WRITER_TOO_BIG', 'The raster grew past 4 GB; write it as BigTIFF.');
        }
        await file.write(encodeHeader(firstIfd, bigTiff), 0, bigTiff ? 16 : 8, 0);
      }).finally(async () => {
        await file.close();
        if (cog) await rm(stagingPath, { force: true });
      });
    },
    async abort() {
      closed = true;
      await queue;
      await file.close().catch(() => undefined);
      if (cog) await rm(stagingPath, { force: true });
    },
  };
}

function pointerBytes(value: number, bigTiff: boolean): Uint8Array {
  const out = new Uint8Array(bigTiff ? 8 : 4);
  const view = new DataView(out.buffer);
  if (bigTiff) view.setBigUint64(0, BigInt(value), true);
  else view.setUint32(0, value, true);
  return out;
}

function formatNodata(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  return Number.isInteger(value) ? String(value) : String(value);
}

/** GDAL's ghost area for a COG (as its COG driver writes it): the layout promises readers may rely on. */
function ghostArea(bands: number): Uint8Array {
  const body =
    'LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nBLOCK_LEADER=SIZE_AS_UINT4\n' +
    'BLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n' +
    (bands > 1 ? 'INTERLEAVE=BAND\n' : '') +
    ' '; // GDAL flips "NO\n " to "YES\n" in place when a later edit breaks the layout
  const head = `GDAL_STRUCTURAL_METADATA_SIZE=${String(body.length).padStart(6, '0')} bytes\n`;
  return new TextEncoder().encode(head + body);
}

/** The GDAL_METADATA tag (42112): per-band scale, offset and description, or null when there is none. */
function gdalMetadataXml(bandInfo: BandInfo[]): string | null {
  const escape = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const items: string[] = [];
  bandInfo.forEach((band, sample) => {
    if (band.offset !== undefined)
      items.push(`<Item name="OFFSET" sample="${sample}" role="offset">${band.offset}</Item>`);
    if (band.scale !== undefined)
      items.push(`<Item name="SCALE" sample="${sample}" role="scale">${band.scale}</Item>`);
    if (band.description !== undefined)
      items.push(
        `<Item name="DESCRIPTION" sample="${sample}" role="description">${escape(band.description)}</Item>`,
      );
  });
  return items.length ? `<GDALMetadata>${items.join('')}</GDALMetadata>` : null;
}
