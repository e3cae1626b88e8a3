// The fuzzer's seed files, made in code from the descriptions in corpus.json: tiled GeoTIFFs by the project's own
// streaming writer, striped ones by its own IFD encoder (the writer only tiles), VRTs over them as GDAL writes them.
// A seed is a set of files (a VRT with its sources) held in memory; mutations work on the bytes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zlibSync } from 'fflate';
import { geoTiffTags } from '../../core/raster/geoKeys';
import { lzwEncode } from '../../core/raster/lzw';
import { SAMPLE_TYPES } from '../../core/raster/sampleTypes';
import { encodeHeader, encodeIfd, TiffType, type TiffTag } from '../../core/raster/tiffIfd';
import type { GridSpec } from '../../core/raster/types';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import { pixelGrid, sceneValue, utmGrid } from '../imagery/testing/fixtures';

export type Compression = 'deflate' | 'lzw' | 'none';
export type SeedSampleType = 'uint8' | 'uint16' | 'float32';

export interface TiffSeed {
  kind: 'tiff';
  name: string;
  layout: 'tiled' | 'striped';
  compression: Compression;
  sampleType: SeedSampleType;
  bands: number;
  georeferenced: boolean;
  nodata?: number;
  width: number;
  height: number;
}

export interface VrtSeed {
  kind: 'vrt';
  name: string;
  /** Names of TIFF seeds placed side by side (left to right), each read band for band. */
  sources: string[];
  /** ComplexSource with NODATA and a scale, or SimpleSource. */
  complex: boolean;
  georeferenced: boolean;
}

export type RasterSeed = TiffSeed | VrtSeed;

/** The files of one case: `main` is the one opened; the others sit beside it (a VRT's sources). */
export interface SeedFiles {
  main: string;
  files: Record<string, Uint8Array>;
}

const TILE = 16;
const ROWS_PER_STRIP = 8;

function seedGrid(seed: TiffSeed, originX = 500_000): GridSpec {
  return seed.georeferenced
    ? utmGrid(seed.width, seed.height, originX, 5_600_000, 10)
    : pixelGrid(seed.width, seed.height);
}

/** Band-planar values with a little of everything the type holds (and the nodata value at a few pixels). */
function seedValues(seed: TiffSeed): Uint8Array | Uint16Array | Float32Array {
  const n = seed.width * seed.height;
  const data = SAMPLE_TYPES[seed.sampleType].create(n * seed.bands) as
    Uint8Array | Uint16Array | Float32Array;
  const max = seed.sampleType === 'uint8' ? 255 : 10_000;
  for (let b = 0; b < seed.bands; b++)
    for (let y = 0; y < seed.height; y++)
      for (let x = 0; x < seed.width; x++) {
        const v = sceneValue(x, y, b, max);
        data[b * n + y * seed.width + x] = seed.sampleType === 'float32' ? v / 7 : v;
      }
  if (seed.nodata !== undefined)
    for (let b = 0; b < seed.bands; b++) data.fill(seed.nodata, b * n, b * n + 5);
  return data;
}

async function tiledTiff(seed: TiffSeed): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cm-fuzz-seed-'));
  try {
    const file = path.join(dir, 'seed.tif');
    const writer = await createGeoTiffWriter(file, {
      width: seed.width,
      height: seed.height,
      bands: seed.bands,
      sampleType: seed.sampleType,
      grid: seedGrid(seed),
      tileSize: TILE,
      compression: seed.compression,
      nodata: seed.nodata ?? null,
      overviews: seed.width > TILE * 2,
      colour: seed.bands === 3 ? 'rgb' : undefined,
    });
    await writer.writeWindow({ x: 0, y: 0, width: seed.width, height: seed.height }, seedValues(seed));
    await writer.close();
    return new Uint8Array(await readFile(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A pixel-interleaved (chunky) striped TIFF: header, strips, then the one IFD. */
function stripedTiff(seed: TiffSeed): Uint8Array {
  const { width, height, bands } = seed;
  const info = SAMPLE_TYPES[seed.sampleType];
  const planar = seedValues(seed);
  const n = width * height;
  const chunky = info.create(n * bands);
  for (let i = 0; i < n; i++) for (let b = 0; b < bands; b++) chunky[i * bands + b] = planar[b * n + i];
  const raw = new Uint8Array(chunky.buffer);
  const rowBytes = width * bands * info.bytes;
  const strips: Uint8Array[] = [];
  for (let y = 0; y < height; y += ROWS_PER_STRIP) {
    const part = raw.subarray(y * rowBytes, Math.min(height, y + ROWS_PER_STRIP) * rowBytes);
    strips.push(
      seed.compression === 'deflate'
        ? zlibSync(part)
        : seed.compression === 'lzw'
          ? lzwEncode(part)
          : part.slice(),
    );
  }
  const offsets: number[] = [];
  let at = 8;
  for (const s of strips) {
    offsets.push(at);
    at += s.length + (s.length & 1);
  }
  const tags: TiffTag[] = [
    { tag: 256, type: TiffType.LONG, values: [width] },
    { tag: 257, type: TiffType.LONG, values: [height] },
    { tag: 258, type: TiffType.SHORT, values: new Array<number>(bands).fill(info.bitsPerSample) },
    { tag: 259, type: TiffType.SHORT, values: [{ none: 1, lzw: 5, deflate: 8 }[seed.compression]] },
    { tag: 262, type: TiffType.SHORT, values: [bands === 3 ? 2 : 1] },
    { tag: 273, type: TiffType.LONG, values: offsets },
    { tag: 277, type: TiffType.SHORT, values: [bands] },
    { tag: 278, type: TiffType.LONG, values: [ROWS_PER_STRIP] },
    { tag: 279, type: TiffType.LONG, values: strips.map((s) => s.length) },
    { tag: 284, type: TiffType.SHORT, values: [1] },
    { tag: 339, type: TiffType.SHORT, values: new Array<number>(bands).fill(info.sampleFormat) },
    ...geoTiffTags(seedGrid(seed)),
  ];
  if (seed.nodata !== undefined) tags.push({ tag: 42113, type: TiffType.ASCII, values: String(seed.nodata) });
  const ifd = encodeIfd(tags, at, false);
  const out = new Uint8Array(at + ifd.bytes.length);
  out.set(encodeHeader(at, false));
  strips.forEach((s, i) => out.set(s, offsets[i]));
  out.set(ifd.bytes, at);
  return out;
}

export async function tiffBytes(seed: TiffSeed): Promise<Uint8Array> {
  return seed.layout === 'tiled' ? tiledTiff(seed) : stripedTiff(seed);
}

const VRT_TYPE: Record<SeedSampleType, string> = { uint8: 'Byte', uint16: 'UInt16', float32: 'Float32' };

/** A mosaic VRT as gdalbuildvrt writes it: the sources side by side, band for band. */
export function vrtText(seed: VrtSeed, sources: TiffSeed[]): string {
  const width = sources.reduce((w, s) => w + s.width, 0);
  const height = Math.max(...sources.map((s) => s.height));
  const bands = Math.min(...sources.map((s) => s.bands));
  const type = VRT_TYPE[sources[0].sampleType];
  const geo = seed.georeferenced
    ? `  <SRS dataAxisToSRSAxisMapping="1,2">EPSG:32633</SRS>\n  <GeoTransform>500000, 10, 0, 5600000, 0, -10</GeoTransform>\n`
    : '';
  const sourceKind = seed.complex ? 'ComplexSource' : 'SimpleSource';
  let text = `<VRTDataset rasterXSize="${width}" rasterYSize="${height}">\n${geo}`;
  for (let b = 1; b <= bands; b++) {
    text += `  <VRTRasterBand dataType="${type}" band="${b}">\n`;
    if (seed.complex) text += `    <NoDataValue>0</NoDataValue>\n`;
    if (bands === 3) text += `    <ColorInterp>${['Red', 'Green', 'Blue'][b - 1]}</ColorInterp>\n`;
    let x = 0;
    for (const s of sources) {
      text += `    <${sourceKind}>\n      <SourceFilename relativeToVRT="1">${s.name}.tif</SourceFilename>\n`;
      text += `      <SourceBand>${b}</SourceBand>\n`;
      text += `      <SrcRect xOff="0" yOff="0" xSize="${s.width}" ySize="${s.height}" />\n`;
      text += `      <DstRect xOff="${x}" yOff="0" xSize="${s.width}" ySize="${s.height}" />\n`;
      if (seed.complex) text += `      <NODATA>0</NODATA>\n      <ScaleRatio>2</ScaleRatio>\n`;
      text += `    </${sourceKind}>\n`;
      x += s.width;
    }
    text += `  </VRTRasterBand>\n`;
  }
  return `${text}</VRTDataset>\n`;
}

/** Builds every raster seed once (the writer is async and touches the disk): name -> files. */
export async function buildRasterSeeds(seeds: RasterSeed[]): Promise<Map<string, SeedFiles>> {
  const built = new Map<string, SeedFiles>();
  const tiffs = new Map<string, TiffSeed>();
  for (const seed of seeds) {
    if (seed.kind !== 'tiff') continue;
    tiffs.set(seed.name, seed);
    built.set(seed.name, {
      main: `${seed.name}.tif`,
      files: { [`${seed.name}.tif`]: await tiffBytes(seed) },
    });
  }
  for (const seed of seeds) {
    if (seed.kind !== 'vrt') continue;
    const sources = seed.sources.map((name) => {
      const source = tiffs.get(name);
      if (!source) throw new Error(`corpus.json: VRT seed ${seed.name} names an unknown TIFF seed ${name}`);
      return source;
    });
    const files: Record<string, Uint8Array> = {
      [`${seed.name}.vrt`]: new TextEncoder().encode(vrtText(seed, sources)),
    };
    for (const s of sources) files[`${s.name}.tif`] = built.get(s.name)!.files[`${s.name}.tif`];
    built.set(seed.name, { main: `${seed.name}.vrt`, files });
  }
  return built;
}
