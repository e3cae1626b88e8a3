// Loaders for the evaluation data in the shared data folder (never copied into the repo): change scenes listed in
// models/training/splits.json (OSCD GeoTIFFs; SZTAKI, LEVIR and DSIFN PNGs) and AID JPEGs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decode as decodePng } from 'fast-png';
import { fromFile } from 'geotiff';
import jpeg from 'jpeg-js';

/** One change scene: RGB band-planar raw values of both dates and the truth mask (1 = change). */
export interface ChangeScene {
  dataset: string;
  id: string;
  width: number;
  height: number;
  sampleType: 'uint8' | 'uint16';
  before: Uint8Array | Uint16Array;
  after: Uint8Array | Uint16Array;
  truth: Uint8Array;
  gsdM: number;
}

export interface ChangeSplitEntry {
  dataset: string;
  id: string;
  before: string;
  after: string;
  mask: string;
  gsdM: number;
  split: 'train' | 'val';
}

export interface Splits {
  change: { scenes: ChangeSplitEntry[] };
  landcover: { dataset: string; inputSize: number; classes: string[]; val: string[] };
}

/** The shared data folder: $CHANGEMAP_DATA, else ../shared/data beside the repository. */
export function resolveDataRoot(repoRoot: string): string {
  return process.env.CHANGEMAP_DATA
    ? path.resolve(process.env.CHANGEMAP_DATA)
    : path.resolve(repoRoot, '../shared/data');
}

export function readSplits(file: string): Splits {
  return JSON.parse(readFileSync(file, 'utf8')) as Splits;
}

async function readGeoTiffRgb(
  file: string,
): Promise<{ width: number; height: number; data: Uint16Array | Uint8Array }> {
  const tiff = await fromFile(file);
  try {
    const image = await tiff.getImage();
    const width = image.getWidth();
    const height = image.getHeight();
    const bands = Math.min(3, image.getSamplesPerPixel());
    const rasters = (await image.readRasters({ samples: [...Array(bands).keys()] })) as unknown as (
      Uint16Array | Uint8Array
    )[];
    const n = width * height;
    const out = rasters[0] instanceof Uint16Array ? new Uint16Array(bands * n) : new Uint8Array(bands * n);
    rasters.forEach((band, b) => out.set(band, b * n));
    return { width, height, data: out };
  } finally {
    await tiff.close?.();
  }
}

function readPngPlanar(file: string): {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Uint16Array;
} {
  const png = decodePng(readFileSync(file));
  const { width, height, channels } = png;
  const src = png.data as Uint8Array | Uint16Array;
  const n = width * height;
  // Palette images come out as indices; the shared PNGs are RGB(A) or grey, which is what we need.
  const out = src instanceof Uint16Array ? new Uint16Array(channels * n) : new Uint8Array(channels * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[c * n + i] = src[i * channels + c];
  return { width, height, channels, data: out };
}

/** RGB bands of a planar image (a grey image repeats its one band; alpha is dropped). */
function rgbOf(img: {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Uint16Array;
}): Uint8Array | Uint16Array {
  const n = img.width * img.height;
  const out = img.data instanceof Uint16Array ? new Uint16Array(3 * n) : new Uint8Array(3 * n);
  for (let b = 0; b < 3; b++) {
    const from = img.channels >= 3 ? b : 0;
    out.set(img.data.subarray(from * n, from * n + n), b * n);
  }
  return out;
}

async function readImage(
  file: string,
): Promise<{ width: number; height: number; data: Uint8Array | Uint16Array }> {
  if (/\.tiff?$/i.test(file)) return readGeoTiffRgb(file);
  const png = readPngPlanar(file);
  return { width: png.width, height: png.height, data: rgbOf(png) };
}

async function readMask(file: string): Promise<{ width: number; height: number; mask: Uint8Array }> {
  const img = /\.tiff?$/i.test(file) ? await readGeoTiffRgb(file) : readPngPlanar(file);
  const n = img.width * img.height;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = img.data[i] > 0 ? 1 : 0;
  return { width: img.width, height: img.height, mask };
}

export async function loadChangeScene(root: string, entry: ChangeSplitEntry): Promise<ChangeScene> {
  const files = [entry.before, entry.after, entry.mask].map((f) => path.join(root, f));
  for (const f of files) if (!existsSync(f)) throw new Error(`Missing evaluation file ${f}.`);
  const [before, after, truth] = await Promise.all([
    readImage(files[0]),
    readImage(files[1]),
    readMask(files[2]),
  ]);
  if (
    before.width !== after.width ||
    before.height !== after.height ||
    truth.width !== before.width ||
    truth.height !== before.height
  ) {
    throw new Error(`Scene ${entry.dataset}/${entry.id}: dates and mask differ in size.`);
  }
  return {
    dataset: entry.dataset,
    id: entry.id,
    width: before.width,
    height: before.height,
    sampleType: before.data instanceof Uint16Array ? 'uint16' : 'uint8',
    before: before.data,
    after: after.data,
    truth: truth.mask,
    gsdM: entry.gsdM,
  };
}

/** An AID JPEG as band-planar RGB uint8. */
export function loadAidImage(file: string): { width: number; height: number; rgb: Uint8Array } {
  const img = jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: true });
  const n = img.width * img.height;
  const rgb = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) for (let b = 0; b < 3; b++) rgb[b * n + i] = img.data[i * 4 + b];
  return { width: img.width, height: img.height, rgb };
}
