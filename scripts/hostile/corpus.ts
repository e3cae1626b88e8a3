// The hostile-input corpus (issue 12): every kind of bad, damaged or odd input a planner or an attacker can hand
// ChangeMap, as code that writes it. `makeCorpus` writes each case's inputs into a fresh folder at run time (nothing
// generated is committed); each case says what the command line, and where it applies the browser host, must answer:
// a refusal (exit code and error code) or, for odd but valid input, the result with the warning it must carry.
// The runner (run.ts) executes them; README.md beside this file lists the figures.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib, { deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { geoTiffTags } from '../../src-main/core/raster/geoKeys';
import { lzwEncode } from '../../src-main/core/raster/lzw';
import { TiffType } from '../../src-main/core/raster/tiffIfd';
import type { GeoTransform, GridSpec } from '../../src-main/core/raster/types';
import { crsFromEpsg } from '../../src-main/services/imagery/crs';
import { sceneData, utmGrid, writeFixture } from '../../src-main/services/imagery/testing/fixtures';
import {
  tinyTiff,
  tinyTiffPairLoop,
  type TinyTiff as TinyTiffOptions,
} from '../../src-main/services/imagery/testing/tinyTiff';
import { projectLockPath } from '../../src-main/services/project/projectLock';
import { ProjectStore } from '../../src-main/services/project/projectStore';

export const GROUPS = [
  'TIFF structure',
  'sizes and compression',
  'VRT',
  'georeference',
  'pixel values',
  'model files and cards',
  'project files',
  'locks',
  'flags',
  'special files',
  'socket frames',
] as const;
export type Group = (typeof GROUPS)[number];

/** What the command line must answer. */
export interface CliExpectation {
  exit: number;
  /** The error code the one-line refusal carries (`[CODE]` on stderr). */
  code?: string;
  /** A warning the output must carry (odd but valid input: the result is right only with it). */
  warning?: RegExp;
  /** Extra check after the command (files left or not); returns what is wrong, or null. */
  after?: () => string | null;
}

/** One API call of the browser host, as the UI sends it. */
export interface HostCall {
  channel: string;
  payload: unknown;
}

/** What the browser host must answer: the last call's error code (or success with a warning), or a socket close. */
export type HostStep =
  | { calls: HostCall[]; code?: string; warning?: RegExp }
  | { frame: Buffer; close: number }
  | { message: string; close?: number; code?: string };

export interface HostileCase {
  /** One kind of hostile input; unique. */
  id: string;
  group: Group;
  what: string;
  /** The command line's arguments (after `changemap`), or none where the case is the host's only. */
  cli?: string[];
  expect?: CliExpectation;
  host?: HostStep;
  /** Set up right before the case runs (a lock held by the runner), torn down after. */
  hold?: () => () => void;
  /** Run as an unprivileged user where the runner is root (to whom no file is read-only). */
  unprivileged?: boolean;
}

/** Good inputs the cases share: a before/after pair the tiny test model runs on. */
interface Shared {
  before: string;
  after: string;
  model: string;
}

/** The tiny test model's card: a run takes a second. */
const MODEL = path.resolve('models', 'test', 'tiny-change.card.json');
const SIZE = 64;

/** Tags that make the tiny TIFF a 3-band RGB image on `grid` (UTM 33N), as the good pair is. */
function rgbOn(grid: GridSpec): NonNullable<TinyTiffOptions['tags']> {
  const tags: NonNullable<TinyTiffOptions['tags']> = {
    258: { type: TiffType.SHORT, values: [8, 8, 8] },
    262: { type: TiffType.SHORT, values: [2] },
    277: { type: TiffType.SHORT, values: [3] },
  };
  for (const t of geoTiffTags(grid)) tags[t.tag] = { type: t.type, values: t.values };
  return tags;
}

/**
 * Tags that make the tiny TIFF tiled, its strip tags removed: tiles of `width` x `height`, by default one at byte 8
 * of 256 bytes (the tiny TIFF's pixels).
 */
function tiledTags(
  width: number,
  height: number,
  offsets = [8],
  byteCounts = [256],
): NonNullable<TinyTiffOptions['tags']> {
  return { 273: null, 278: null, 279: null, 322: [width], 323: [height], 324: offsets, 325: byteCounts };
}

function tiff(file: string, options: TinyTiffOptions = {}): string {
  fs.writeFileSync(file, tinyTiff(options));
  return file;
}

async function rgb(file: string, grid: GridSpec, data?: ArrayLike<number>, nodata?: number): Promise<string> {
  await writeFixture(
    file,
    grid,
    3,
    data ?? sceneData(grid, 3, 'uint8'),
    nodata === undefined ? {} : { nodata },
  );
  return file;
}

/** A float32 copy of the scene (values 0..1) with some pixels replaced. */
function floatScene(grid: GridSpec, replace: (i: number) => number | undefined): Float32Array {
  const base = sceneData(grid, 3, 'uint8');
  return Float32Array.from(base, (v, i) => replace(i) ?? v / 255);
}

const vrtXml = (sources: string, size = 16) =>
  `<VRTDataset rasterXSize="${size}" rasterYSize="${size}"><SRS>EPSG:32633</SRS>` +
  `<GeoTransform>500000, 10, 0, 5600000, 0, -10</GeoTransform><VRTRasterBand dataType="Byte" band="1">${sources}</VRTRasterBand></VRTDataset>`;
const simpleSource = (file: string, band = 1) =>
  `<SimpleSource><SourceFilename relativeToVRT="1">${file}</SourceFilename><SourceBand>${band}</SourceBand></SimpleSource>`;

/** A WebSocket frame as a client would send it (masked) unless `unmasked`. */
export function wsFrame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; unmasked?: boolean } = {},
): Buffer {
  const head = [((options.fin ?? true) ? 0x80 : 0) | opcode];
  const mask = options.unmasked ? 0 : 0x80;
  if (payload.length < 126) head.push(mask | payload.length);
  else if (payload.length < 65536) head.push(mask | 126, payload.length >> 8, payload.length & 255);
  else {
    head.push(mask | 127, 0, 0, 0, 0);
    for (let s = 24; s >= 0; s -= 8) head.push((payload.length >>> s) & 255);
  }
  if (options.unmasked) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A project with a finished run whose stored files are what `fields` say (raster path, JSON columns). */
function projectWithRun(file: string, fields: { probabilityPath?: string; params?: string } = {}): string {
  ProjectStore.create(file).close();
  const db = new Database(file);
  db.prepare(
    `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params, warnings,
       probability_path) VALUES ('done', 'm', '1', 'x', 'cpu', ?, '[]', ?)`,
  ).run(fields.params ?? '{}', fields.probabilityPath ?? null);
  db.close();
  return file;
}

/** A change-model card copied from the tiny one, changed by `edit`, beside its ONNX file in `dir`. */
function card(dir: string, name: string, edit: (c: Record<string, unknown>) => void, onnx?: Buffer): string {
  const models = path.resolve('models', 'test');
  const base = JSON.parse(fs.readFileSync(path.join(models, 'tiny-change.card.json'), 'utf8'));
  const bytes = onnx ?? fs.readFileSync(path.join(models, 'tiny-change.onnx'));
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  fs.writeFileSync(path.join(dir, name, 'model.onnx'), bytes);
  base.name = name;
  base.file = 'model.onnx';
  base.sha256 = createHash('sha256').update(bytes).digest('hex');
  edit(base);
  const cardPath = path.join(dir, name, 'model.card.json');
  fs.writeFileSync(cardPath, typeof base === 'string' ? base : JSON.stringify(base));
  return cardPath;
}

/**
 * Writes every case's inputs under `dir` and returns the cases. Paths in the cases are absolute; `dir` is a fresh
 * temporary folder the runner removes.
 */
export async function makeCorpus(dir: string): Promise<HostileCase[]> {
  const at = (...p: string[]) => path.join(dir, ...p);
  fs.mkdirSync(at('shared'), { recursive: true });
  const grid = utmGrid(SIZE, SIZE);
  const shared: Shared = {
    before: await rgb(at('shared', 'before.tif'), grid),
    after: await rgb(
      at('shared', 'after.tif'),
      grid,
      sceneData(grid, 3, 'uint8').map((v, i) => (i % SIZE < 20 && i % (SIZE * SIZE) < SIZE * 20 ? 250 : v)),
    ),
    model: MODEL,
  };
  const cases: HostileCase[] = [];
  const project = (id: string) => at('projects', `${id}.gpkg`);
  fs.mkdirSync(at('projects'));
  fs.mkdirSync(at('in'));
  const input = (name: string) => at('in', name);

  /** Writes `data` to the input file `name`; returns its path. */
  const written = (name: string, data: string | Uint8Array): string => {
    fs.writeFileSync(input(name), data);
    return input(name);
  };
  /** A run of the tiny model (or `model`) on a pair into the case's own new project. */
  const runArgs = (id: string, before: string, after: string, more: string[] = [], model = MODEL) => [
    'run',
    '--before',
    before,
    '--after',
    after,
    '--project',
    project(id),
    '--model',
    model,
    '--no-regions',
    ...more,
  ];
  /** A run of the tiny model on a synthetic 64 x 64 pair into `file`. */
  const syntheticRunArgs = (file: string, more: string[] = []) => [
    'run',
    '--synthetic',
    '64x64',
    '--project',
    file,
    '--model',
    MODEL,
    '--no-regions',
    ...more,
  ];
  /** The browser host's way in: a new project of the case's own, then the pair as the imagery panel sets it. */
  const hostOpens = (id: string, before: string, after?: string): HostCall[] => [
    { channel: 'project:create', payload: { path: at('projects', `host-${id}.gpkg`) } },
    { channel: 'imagery:setFiles', payload: { role: 'before', uris: [before] } },
    ...(after === undefined
      ? []
      : [{ channel: 'imagery:setFiles', payload: { role: 'after', uris: [after] } }]),
  ];
  /** A refused run into a new project leaves no project behind. */
  const nothingLeft = (file: string) => () =>
    fs.existsSync(file) ? `the refused run left ${path.basename(file)} behind` : null;

  /** A run with `before` (and `after`, default the good one) refused with `code`; the host refuses the same file. */
  const imagery = (
    group: Group,
    id: string,
    what: string,
    before: string,
    code: string,
    options: { after?: string; hostOk?: RegExp; hostAfter?: boolean } = {},
  ) =>
    cases.push({
      id,
      group,
      what,
      cli: runArgs(id, before, options.after ?? shared.after),
      expect: { exit: 3, code, after: nothingLeft(project(id)) },
      host: {
        calls: hostOpens(id, before, options.hostAfter ? (options.after ?? shared.after) : undefined),
        // Opening reads no pixel: a file whose damage shows only in its pixels is accepted until a read.
        code: options.hostOk ? undefined : code,
        warning: options.hostOk,
      },
    });
  /** Odd but valid input: the run succeeds, with `warning` where the result is right only with it. */
  const accepted = (
    group: Group,
    id: string,
    what: string,
    before: string,
    warning?: RegExp,
    host?: HostStep,
  ) =>
    cases.push({
      id,
      group,
      what,
      cli: runArgs(id, before, shared.after),
      expect: { exit: 0, warning },
      host,
    });

  // ---- TIFF structure -------------------------------------------------------------------------------------------
  imagery(
    'TIFF structure',
    'tiff-ifd-self-loop',
    'next-IFD pointer points at itself',
    written('ifd-self.tif', tinyTiff({ next: 'self' })),
    'TIFF_IFD_CYCLE',
  );
  imagery(
    'TIFF structure',
    'tiff-ifd-pair-loop',
    'two IFDs point at each other',
    written('ifd-pair.tif', tinyTiffPairLoop()),
    'TIFF_IFD_CYCLE',
  );
  const pastEof = tinyTiff();
  new DataView(pastEof.buffer).setUint32(4, 1 << 30, true);
  imagery(
    'TIFF structure',
    'tiff-first-ifd-past-eof',
    'first IFD offset 1 GiB past the end',
    written('first-ifd-past-eof.tif', pastEof),
    'TIFF_TRUNCATED',
  );
  /** The good pair's twin as a tiny TIFF (64 x 64 RGB on the same grid), with `tags` changed. */
  const rgbTiny = (file: string, tags: NonNullable<TinyTiffOptions['tags']>, next?: number) =>
    tiff(file, {
      width: SIZE,
      height: SIZE,
      data: new Uint8Array(SIZE * SIZE * 3).fill(120),
      tags: { ...rgbOn(grid), ...tags },
      next,
    });
  // Only the first image is read: a broken pointer to a second one (an overview) does not spoil it.
  accepted(
    'TIFF structure',
    'tiff-next-ifd-past-eof',
    'next-IFD pointer 1 GiB past the end (the first image intact)',
    rgbTiny(input('next-ifd-past-eof.tif'), {}, 1 << 30),
  );
  imagery(
    'TIFF structure',
    'tiff-strip-offset-past-eof',
    'strip offset past the end of the file',
    tiff(input('strip-past-eof.tif'), { tags: { 273: [1 << 20] } }),
    'TIFF_TRUNCATED',
  );
  imagery(
    'TIFF structure',
    'tiff-tile-width-0',
    'TileWidth 0',
    tiff(input('tile-width-0.tif'), { tags: tiledTags(0, 16) }),
    'TIFF_BLOCK_INVALID',
  );
  imagery(
    'TIFF structure',
    'tiff-tile-length-0',
    'TileLength 0',
    tiff(input('tile-length-0.tif'), { tags: tiledTags(16, 0) }),
    'TIFF_BLOCK_INVALID',
  );
  // RowsPerStrip 0 is read as libtiff reads it: one strip holding every row (which this one does).
  accepted(
    'TIFF structure',
    'tiff-rows-per-strip-0',
    'RowsPerStrip 0 (one strip holds the whole image)',
    rgbTiny(input('rows-per-strip-0.tif'), { 278: [0] }),
  );
  imagery(
    'TIFF structure',
    'tiff-truncated-strip',
    'a 3-byte strip for a 16 x 16 image',
    tiff(input('three-byte-strip.tif'), { data: new Uint8Array([1, 2, 3]) }),
    'TIFF_DATA_MISSING',
  );
  imagery(
    'TIFF structure',
    'tiff-short-strip-table',
    'fewer strips than the height needs',
    tiff(input('short-strip-table.tif'), {
      width: 64,
      height: 64,
      data: new Uint8Array(64 * 8),
      tags: { 278: [8] },
    }),
    'TIFF_TRUNCATED',
  );
  imagery(
    'TIFF structure',
    'tiff-sparse-strip',
    'sparse strip (offset 0, byte count 0)',
    tiff(input('sparse-strip.tif'), { tags: { 273: [0], 279: [0] } }),
    'TIFF_DATA_MISSING',
  );
  // A 32 x 16 tiled image with two 16 x 16 tiles: the first real, the second sparse.
  const tiles = new Uint8Array(256).fill(9);
  fs.writeFileSync(
    input('sparse-tile.tif'),
    tinyTiff({
      width: 32,
      data: tiles,
      tags: tiledTags(16, 16, [8, 0], [256, 0]),
    }),
  );
  imagery(
    'TIFF structure',
    'tiff-sparse-tile',
    'one tile sparse (offset 0, byte count 0)',
    input('sparse-tile.tif'),
    'TIFF_DATA_MISSING',
  );
  imagery(
    'TIFF structure',
    'tiff-bad-tag-type',
    'ImageWidth stored as text',
    tiff(input('width-ascii.tif'), { tags: { 256: { type: TiffType.ASCII, values: 'wide' } } }),
    'TIFF_TRUNCATED',
  );
  imagery(
    'TIFF structure',
    'tiff-missing-width',
    'no ImageWidth tag',
    tiff(input('no-width.tif'), { tags: { 256: null } }),
    'TIFF_TRUNCATED',
  );
  imagery(
    'TIFF structure',
    'tiff-bits-per-sample-0',
    'BitsPerSample 0',
    tiff(input('bits-0.tif'), { tags: { 258: { type: TiffType.SHORT, values: [0] } } }),
    'UNSUPPORTED_DATA_TYPE',
  );
  imagery(
    'TIFF structure',
    'tiff-samples-per-pixel-0',
    'SamplesPerPixel 0',
    tiff(input('samples-0.tif'), { tags: { 277: { type: TiffType.SHORT, values: [0] } } }),
    'TIFF_TRUNCATED',
  );
  imagery(
    'TIFF structure',
    'tiff-unknown-compression',
    'compression 34712 (JPEG 2000), not supported',
    tiff(input('jpeg2000.tif'), { compression: 34712 }),
    'UNSUPPORTED_COMPRESSION',
  );
  fs.writeFileSync(
    input('random.tif'),
    Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 255)),
  );
  imagery(
    'TIFF structure',
    'tiff-not-a-tiff',
    '4 KiB of noise named .tif',
    input('random.tif'),
    'NOT_A_TIFF',
  );
  imagery('TIFF structure', 'tiff-empty-file', 'a 0-byte .tif', written('empty.tif', ''), 'FILE_EMPTY');
  imagery(
    'TIFF structure',
    'tiff-header-only',
    'the 8-byte header alone',
    written('header-only.tif', tinyTiff().subarray(0, 8)),
    'TIFF_TRUNCATED',
  );
  const hugeEntries = tinyTiff();
  new DataView(hugeEntries.buffer).setUint16(
    new DataView(hugeEntries.buffer).getUint32(4, true),
    65535,
    true,
  );
  imagery(
    'TIFF structure',
    'tiff-ifd-entry-count-past-eof',
    'IFD claims 65535 entries',
    written('ifd-65535-entries.tif', hugeEntries),
    'TIFF_TRUNCATED',
  );

  // ---- sizes and compression ------------------------------------------------------------------------------------
  imagery(
    'sizes and compression',
    'size-200000-squared-300-bytes',
    'a 300-byte TIFF claiming 200000 x 200000 pixels',
    tiff(input('huge-claim.tif'), { width: 200_000, height: 200_000, data: new Uint8Array(64) }),
    'TIFF_DATA_MISSING',
  );
  imagery(
    'sizes and compression',
    'size-deflate-too-short',
    '10 DEFLATE bytes for a 1000 x 1000 image',
    tiff(input('deflate-short.tif'), { width: 1000, height: 1000, compression: 8, data: new Uint8Array(10) }),
    'TIFF_DATA_MISSING',
  );
  imagery(
    'sizes and compression',
    'size-deflate-bomb',
    'a 64 x 64 strip inflating to 64 MiB',
    tiff(input('deflate-bomb.tif'), {
      width: SIZE,
      height: SIZE,
      compression: 8,
      data: deflateSync(new Uint8Array(64 << 20)),
      tags: rgbOn(grid),
    }),
    'TIFF_BLOCK_TOO_LARGE',
    { hostOk: /^ok |\[TIFF_BLOCK_TOO_LARGE\]/ },
  );
  imagery(
    'sizes and compression',
    'size-lzw-bomb',
    'a 64 x 64 strip decoding to 64 MiB of LZW',
    tiff(input('lzw-bomb.tif'), {
      width: SIZE,
      height: SIZE,
      compression: 5,
      data: lzwEncode(new Uint8Array(64 << 20).fill(3)),
      tags: rgbOn(grid),
    }),
    'TIFF_BLOCK_TOO_LARGE',
    { hostOk: /^ok |\[TIFF_BLOCK_TOO_LARGE\]/ },
  );
  fs.writeFileSync(
    input('png-bomb.png'),
    encodePng({
      width: 11_000,
      height: 11_000,
      data: new Uint8Array(11_000 * 11_000),
      channels: 1,
      depth: 8,
    }),
  );
  imagery(
    'sizes and compression',
    'size-png-121-mpx',
    'a small PNG of 121 Mpx of zeros (over the 120 Mpx decoded whole)',
    input('png-bomb.png'),
    'IMAGE_TOO_LARGE',
  );
  // A 16 x 16 PNG whose header (CRC fixed) declares 40000 x 40000: the size is checked before decoding.
  const small = Buffer.from(
    encodePng({ width: 16, height: 16, data: new Uint8Array(256), channels: 1, depth: 8 }),
  );
  small.writeUInt32BE(40_000, 16);
  small.writeUInt32BE(40_000, 20);
  small.writeUInt32BE(zlib.crc32(small.subarray(12, 29)), 29);
  imagery(
    'sizes and compression',
    'size-png-header-40000-squared',
    'a 100-byte PNG whose header declares 40000 x 40000',
    written('png-claims-40000.png', small),
    'IMAGE_TOO_LARGE',
  );
  const noisy = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 2654435761) >>> 24);
  const whole = encodePng({ width: 64, height: 64, data: noisy, channels: 3, depth: 8 });
  imagery(
    'sizes and compression',
    'size-png-truncated',
    'a PNG cut after 200 bytes',
    written('png-truncated.png', whole.subarray(0, 200)),
    'IMAGE_DAMAGED',
  );
  imagery(
    'sizes and compression',
    'size-tile-one-terapixel',
    'one tile declared 2^20 x 2^20 for a 16 x 16 image',
    tiff(input('huge-tile.tif'), { tags: tiledTags(1 << 20, 1 << 20) }),
    'TIFF_DATA_MISSING',
  );

  // ---- VRT ------------------------------------------------------------------------------------------------------
  tiff(input('leaf.tif'));
  imagery(
    'VRT',
    'vrt-self-reference',
    'a VRT naming itself',
    written('self.vrt', vrtXml(simpleSource('self.vrt'))),
    'VRT_CYCLE',
  );
  fs.writeFileSync(input('ping.vrt'), vrtXml(simpleSource('pong.vrt')));
  fs.writeFileSync(input('pong.vrt'), vrtXml(simpleSource('ping.vrt')));
  imagery('VRT', 'vrt-mutual-reference', 'two VRTs naming each other', input('ping.vrt'), 'VRT_CYCLE');
  fs.writeFileSync(input('deep0.vrt'), vrtXml(simpleSource('leaf.tif')));
  for (let i = 1; i <= 40; i++)
    fs.writeFileSync(input(`deep${i}.vrt`), vrtXml(simpleSource(`deep${i - 1}.vrt`)));
  imagery('VRT', 'vrt-deep-nesting', '40 VRTs nested', input('deep40.vrt'), 'VRT_TOO_DEEP');
  imagery(
    'VRT',
    'vrt-source-band-beyond',
    'SourceBand 5 of a one-band file',
    written('band-5.vrt', vrtXml(simpleSource('leaf.tif', 5))),
    'VRT_SOURCE_BAND_INVALID',
  );
  imagery(
    'VRT',
    'vrt-source-band-0',
    'SourceBand 0',
    written('band-0.vrt', vrtXml(simpleSource('leaf.tif', 0))),
    'VRT_SOURCE_BAND_INVALID',
  );
  imagery(
    'VRT',
    'vrt-missing-source',
    'a source file that does not exist',
    written('missing-source.vrt', vrtXml(simpleSource('not-there.tif'))),
    'FILE_NOT_FOUND',
  );
  imagery(
    'VRT',
    'vrt-not-xml',
    'broken XML',
    written('not-xml.vrt', '<VRTDataset rasterXSize="16"><VRTRasterBand'),
    'VRT_INVALID',
  );
  // Billion laughs: nine levels of ten references each would expand to 10^9 copies of "lol".
  const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join(
    '',
  );
  fs.writeFileSync(
    input('entity.vrt'),
    `<?xml version="1.0"?><!DOCTYPE VRTDataset [<!ENTITY l0 "lol">${levels}]>` +
      `<VRTDataset rasterXSize="16" rasterYSize="16"><SRS>EPSG:32633</SRS>` +
      `<GeoTransform>500000, 10, 0, 5600000, 0, -10</GeoTransform><Metadata><MDI key="x">&l9;</MDI></Metadata>` +
      ['Red', 'Green', 'Blue']
        .map(
          (c, i) =>
            `<VRTRasterBand dataType="Byte" band="${i + 1}"><ColorInterp>${c}</ColorInterp>${simpleSource('leaf.tif')}</VRTRasterBand>`,
        )
        .join('') +
      '</VRTDataset>',
  );
  // The parser leaves the entities unexpanded: the VRT is read as if its metadata were plain text.
  accepted(
    'VRT',
    'vrt-entity-expansion',
    'XML entities expanding to 10^9 copies (billion laughs) in an RGB VRT',
    input('entity.vrt'),
    undefined,
    { calls: hostOpens('vrt-entity-expansion', input('entity.vrt')) },
  );
  imagery(
    'VRT',
    'vrt-size-0',
    'rasterXSize 0',
    written('size-0.vrt', vrtXml(simpleSource('leaf.tif'), 0)),
    'VRT_INVALID',
  );
  imagery(
    'VRT',
    'vrt-no-bands',
    'no VRTRasterBand',
    written('no-bands.vrt', '<VRTDataset rasterXSize="16" rasterYSize="16"></VRTDataset>'),
    'VRT_INVALID',
  );
  fs.writeFileSync(
    input('absolute.vrt'),
    vrtXml(
      `<SimpleSource><SourceFilename relativeToVRT="0">/etc/passwd</SourceFilename><SourceBand>1</SourceBand></SimpleSource>`,
    ),
  );
  imagery(
    'VRT',
    'vrt-source-is-text-file',
    'a source naming /etc/passwd',
    input('absolute.vrt'),
    'NOT_A_TIFF',
  );

  // ---- georeference ---------------------------------------------------------------------------------------------
  const geo = async (id: string, what: string, gt: GeoTransform, code: string, epsg = 32633) => {
    const file = await rgb(input(`${id}.tif`), {
      width: SIZE,
      height: SIZE,
      geoTransform: gt,
      crs: crsFromEpsg(epsg),
    });
    imagery('georeference', id, what, file, code);
  };
  await geo('geo-zero-pixel-size', 'pixel size 0 x 0', [500000, 0, 0, 5600000, 0, 0], 'GEOREFERENCE_INVALID');
  await geo(
    'geo-singular-transform',
    'a singular (rank 1) transformation',
    [500000, 10, 10, 5600000, 10, 10],
    'GEOREFERENCE_INVALID',
  );
  await geo(
    'geo-negative-pixel-size',
    'ModelPixelScale negative',
    [500000, -10, 0, 5600000, 0, 10],
    'GEOREFERENCE_INVALID',
  );
  await geo(
    'geo-longitude-5000',
    'origin at longitude 5000',
    [5000, 0.0001, 0, 45, 0, -0.0001],
    'GEOREFERENCE_OUT_OF_RANGE',
    4326,
  );
  await geo(
    'geo-latitude-95',
    'reaching latitude 95',
    [10, 0.0001, 0, 95, 0, -0.0001],
    'GEOREFERENCE_OUT_OF_RANGE',
    4326,
  );
  await geo(
    'geo-utm-easting-1e12',
    'UTM easting 1e12 m',
    [1e12, 10, 0, 5600000, 0, -10],
    'GEOREFERENCE_OUT_OF_RANGE',
  );
  await geo('geo-nan-origin', 'origin NaN', [NaN, 10, 0, 5600000, 0, -10], 'GEOREFERENCE_INVALID');
  const noCrs = tinyTiff({
    tags: {
      33550: { type: TiffType.DOUBLE, values: [10, 10, 0] },
      33922: { type: TiffType.DOUBLE, values: [0, 0, 0, 500000, 5600000, 0] },
    },
  });
  imagery(
    'georeference',
    'geo-missing-crs',
    'a geotransform without GeoKeys',
    written('no-crs.tif', noCrs),
    'CRS_USER_DEFINED',
  );
  const far = await rgb(input('far.tif'), utmGrid(SIZE, SIZE, 900000, 5000000));
  imagery(
    'georeference',
    'geo-non-overlapping-pair',
    'before and after 500 km apart',
    shared.before,
    'NO_OVERLAP',
    {
      after: far,
      hostAfter: true,
      hostOk: /"NO_OVERLAP"/, // the imagery panel's blocking pre-flight error
    },
  );
  await rgb(input('world.png.tif'), grid);
  fs.writeFileSync(
    input('garbage-world.png'),
    encodePng({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 3), channels: 3, depth: 8 }),
  );
  fs.writeFileSync(input('garbage-world.pgw'), 'ten\n0\n0\n-10\n500000\n5600000\n');
  imagery(
    'georeference',
    'geo-world-file-garbage',
    'a world file with text for a number',
    input('garbage-world.png'),
    'WORLD_FILE_INVALID',
  );
  fs.copyFileSync(shared.before, input('bad-aux.tif'));
  fs.writeFileSync(input('bad-aux.tif.aux.xml'), '<PAMDataset><GeoTransform>1, 2, x</GeoTransform>');
  imagery(
    'georeference',
    'geo-aux-xml-broken',
    'a broken .aux.xml beside a good file',
    input('bad-aux.tif'),
    'AUX_XML_INVALID',
  );

  // ---- pixel values (odd but valid: a result, with the warning that explains it) --------------------------------
  const nodataWarning = /have no probability \(nodata\)/;
  const valid = (id: string, what: string, before: string, warning?: RegExp) =>
    accepted('pixel values', id, what, before, warning);
  const fgrid = utmGrid(SIZE, SIZE);
  await writeFixture(
    input('one-nan.tif'),
    fgrid,
    3,
    floatScene(fgrid, (i) => (i === 2080 ? NaN : undefined)),
  );
  valid('pixel-one-nan', 'one NaN pixel', input('one-nan.tif'), nodataWarning);
  await writeFixture(
    input('nan-inf-5pc.tif'),
    fgrid,
    3,
    floatScene(fgrid, (i) => (i % 20 === 0 ? (i % 40 ? Infinity : NaN) : undefined)),
  );
  valid('pixel-5pc-nan-inf', '5% NaN and infinite pixels', input('nan-inf-5pc.tif'), nodataWarning);
  await writeFixture(
    input('neg-inf.tif'),
    fgrid,
    3,
    floatScene(fgrid, (i) => (i < 300 ? -Infinity : undefined)),
  );
  valid('pixel-negative-infinity', 'a block of -Infinity', input('neg-inf.tif'), nodataWarning);
  await writeFixture(
    input('huge-values.tif'),
    fgrid,
    3,
    floatScene(fgrid, (i) => (i % 7 === 0 ? 3e38 : undefined)),
  );
  valid('pixel-float-3e38', 'values near the float32 maximum', input('huge-values.tif'), undefined);
  await writeFixture(input('all-nan.tif'), fgrid, 3, new Float32Array(SIZE * SIZE * 3).fill(NaN));
  const allInvalid = /4,096 pixels \(100\.0% of the area\) have no probability/;
  const muchNodata = (id: string, what: string, file: string) =>
    accepted('pixel values', id, what, file, allInvalid, {
      calls: hostOpens(id, file, shared.after),
      warning: /"MUCH_NODATA"/,
    });
  muchNodata('pixel-all-nan', 'every pixel NaN', input('all-nan.tif'));
  await rgb(input('all-nodata.tif'), grid, new Uint8Array(SIZE * SIZE * 3), 0);
  muchNodata('pixel-all-nodata', 'every pixel equal to the nodata value', input('all-nodata.tif'));
  await rgb(input('constant.tif'), grid, new Uint8Array(SIZE * SIZE * 3).fill(128));
  valid('pixel-constant', 'one value everywhere (no contrast)', input('constant.tif'), undefined);

  // ---- model files and cards ------------------------------------------------------------------------------------
  const model = (id: string, what: string, cardPath: string, code: string, exit = 3) =>
    cases.push({
      id,
      group: 'model files and cards',
      what,
      cli: runArgs(id, shared.before, shared.after, [], cardPath),
      expect: { exit, code, after: nothingLeft(project(id)) },
      host: {
        calls: [
          ...hostOpens(id, shared.before, shared.after),
          // The run panel's "Add model…", then a run with it (the ONNX file is checked when it loads).
          { channel: 'models:add', payload: { path: cardPath } },
          { channel: 'run:start', payload: { model: cardPath } },
        ],
        code,
      },
    });
  const models = at('models');
  model(
    'model-not-onnx',
    'the model file is text',
    card(models, 'text-onnx', () => undefined, Buffer.from('not a model\n')),
    'MODEL_CORRUPT',
  );
  model(
    'model-truncated-onnx',
    'the ONNX file cut in half',
    card(models, 'half', () => undefined, fs.readFileSync('models/test/tiny-change.onnx').subarray(0, 300)),
    'MODEL_CORRUPT',
  );
  model(
    'model-wrong-inputs',
    'a land-cover ONNX behind a change card',
    card(models, 'wrong-inputs', () => undefined, fs.readFileSync('models/test/tiny-landcover.onnx')),
    'MODEL_CARD_MISMATCH',
  );
  model(
    'model-sha-mismatch',
    'sha256 of another file',
    card(models, 'sha', (c) => (c.sha256 = '0'.repeat(64))),
    'MODEL_CHECKSUM_MISMATCH',
  );
  model(
    'card-empty-mean-std',
    'normalisation mean and std empty',
    card(
      models,
      'empty-norm',
      (c) =>
        ((c.normalisation as Record<string, unknown>).mean = (
          c.normalisation as Record<string, unknown>
        ).std =
          []),
    ),
    'MODEL_CARD_INVALID',
  );
  model(
    'card-zero-std',
    'a std of 0',
    card(models, 'zero-std', (c) => ((c.normalisation as Record<string, unknown>).std = [0, 0.25, 0.25])),
    'MODEL_CARD_INVALID',
  );
  model(
    'card-file-outside',
    '`file` naming ../../etc/passwd',
    card(models, 'outside', (c) => (c.file = '../../../../etc/passwd')),
    'MODEL_CARD_INVALID',
  );
  model(
    'card-file-absolute',
    '`file` naming an absolute path',
    card(models, 'absolute', (c) => (c.file = path.resolve('models/test/tiny-change.onnx'))),
    'MODEL_CARD_INVALID',
  );
  fs.writeFileSync(at('models', 'broken.card.json'), '{"schema": "changemap.model-card/1", "name": ');
  model('card-not-json', 'a card cut mid-JSON', at('models', 'broken.card.json'), 'MODEL_CARD_UNREADABLE');
  model(
    'card-missing',
    'a card path that does not exist',
    at('models', 'nope.card.json'),
    'MODEL_CARD_UNREADABLE',
  );
  model(
    'card-landcover-as-change',
    'a land-cover card given as the change model',
    path.resolve('models/test/tiny-landcover.card.json'),
    'MODEL_WRONG_TASK',
  );

  // ---- project files --------------------------------------------------------------------------------------------
  const exportArgs = (file: string, format: 'csv' | 'geotiff', out: string) => [
    'export',
    '--project',
    file,
    '--format',
    format,
    '--out',
    out,
  ];
  /** The export panel's raster export of run 1's probability, refused with `code`. */
  const hostExportsRaster = (file: string, out: string, code: string): HostStep => ({
    calls: [
      { channel: 'project:open', payload: { path: file } },
      { channel: 'export:raster', payload: { runId: 1, kind: 'probability', out } },
    ],
    code,
  });
  const badProject = (
    id: string,
    what: string,
    file: string,
    code: string,
    commands = ['runs', 'export', 'resume'],
    hostThen: HostCall[] = [],
  ) => {
    for (const command of commands) {
      const args =
        command === 'export'
          ? exportArgs(file, 'csv', at('projects', `${id}.csv`))
          : [command, '--project', file];
      cases.push({
        id: commands.length > 1 ? `${id}/${command}` : id,
        group: 'project files',
        what: `${what} (${command})`,
        cli: args,
        expect: {
          exit: 3,
          code,
          after: () => (fs.existsSync(at('projects', `${id}.csv`)) ? 'export wrote a file' : null),
        },
        host:
          command === commands[0]
            ? { calls: [{ channel: 'project:open', payload: { path: file } }, ...hostThen], code }
            : undefined,
      });
    }
  };
  fs.writeFileSync(project('not-sqlite'), 'hello, not a database\n');
  badProject('project-not-sqlite', 'a text file', project('not-sqlite'), 'NOT_A_PROJECT');
  ProjectStore.create(project('good')).close();
  fs.writeFileSync(project('truncated'), fs.readFileSync(project('good')).subarray(0, 4096 + 100));
  badProject('project-truncated', 'cut after 4 KiB', project('truncated'), 'PROJECT_CORRUPT');
  fs.copyFileSync(project('good'), project('too-new'));
  {
    const db = new Database(project('too-new'));
    db.pragma('user_version = 99999999');
    db.close();
  }
  badProject('project-too-new', 'from a newer ChangeMap', project('too-new'), 'PROJECT_TOO_NEW');
  fs.mkdirSync(project('folder'));
  badProject('project-folder', 'a folder named .gpkg', project('folder'), 'NOT_A_PROJECT');
  badProject('project-missing', 'a path that does not exist', project('missing'), 'NOT_FOUND');
  fs.writeFileSync(project('empty'), '');
  badProject('project-empty-file', 'a 0-byte file', project('empty'), 'NOT_A_PROJECT', ['runs']);
  {
    const other = new Database(project('other-sqlite'));
    other.exec('CREATE TABLE t (x)');
    other.close();
  }
  badProject(
    'project-other-sqlite',
    'an SQLite file of another program',
    project('other-sqlite'),
    'NOT_A_PROJECT',
    ['runs'],
  );
  ProjectStore.create(project('bad-json')).close();
  {
    const db = new Database(project('bad-json'));
    db.prepare("UPDATE cm_settings SET value = '{not json' WHERE key = 'name'").run();
    db.close();
  }
  badProject(
    'project-corrupt-json',
    'a setting holding broken JSON',
    project('bad-json'),
    'PROJECT_CORRUPT',
    ['export', 'resume'],
  );
  execFileSync('mkfifo', [project('fifo')]);
  badProject('project-fifo', 'a named pipe', project('fifo'), 'NOT_A_PROJECT', ['runs']);
  badProject('project-dev-null', '/dev/null', '/dev/null', 'NOT_A_PROJECT', ['runs']);
  // A project in a read-only folder (as the app leaves it, in WAL mode): read-only, not damaged.
  const readOnly = at('projects', 'read-only', 'p.gpkg');
  fs.mkdirSync(path.dirname(readOnly));
  ProjectStore.create(readOnly).close();
  ProjectStore.open(readOnly).close();
  for (const part of ['-wal', '-shm', '.lock', '.lock-owner']) fs.rmSync(readOnly + part, { force: true });
  fs.chmodSync(readOnly, 0o444);
  fs.chmodSync(path.dirname(readOnly), 0o555);
  for (const command of ['runs', 'export']) {
    const out = at('projects', `read-only.csv`);
    cases.push({
      id: `project-read-only/${command}`,
      group: 'project files',
      what: `a project in a read-only folder (${command})`,
      cli: command === 'runs' ? ['runs', '--project', readOnly] : exportArgs(readOnly, 'csv', out),
      expect: { exit: 3, code: 'PROJECT_READ_ONLY', warning: /^(?![\s\S]*damaged)/ },
      unprivileged: true,
    });
  }
  // A stored raster path that climbs out of the data folder: export must not copy a foreign file.
  await rgb(at('foreign.tif'), grid);
  projectWithRun(project('traversal'), { probabilityPath: '../../foreign.tif' });
  cases.push({
    id: 'project-raster-path-traversal',
    group: 'project files',
    what: "a run's stored probability raster path with ../..",
    cli: exportArgs(project('traversal'), 'geotiff', at('projects', 'traversal-out.tif')),
    expect: {
      exit: 3,
      code: 'PROJECT_CORRUPT',
      after: () =>
        fs.existsSync(at('projects', 'traversal-out.tif')) ? 'export copied a foreign file' : null,
    },
    host: hostExportsRaster(project('traversal'), at('projects', 'host-traversal.tif'), 'PROJECT_CORRUPT'),
  });
  projectWithRun(project('bad-params'), { params: '{broken' });
  badProject(
    'project-corrupt-run-params',
    "a run's params holding broken JSON",
    project('bad-params'),
    'PROJECT_CORRUPT',
    ['runs', 'export'],
    [{ channel: 'run:list', payload: {} }],
  );
  // A finished run with its raster where it belongs, exported onto a folder.
  projectWithRun(project('export-folder'), { probabilityPath: 'runs/1/probability.tif' });
  fs.mkdirSync(at('projects', 'export-folder.data', 'runs', '1'), { recursive: true });
  await writeFixture(
    at('projects', 'export-folder.data', 'runs', '1', 'probability.tif'),
    grid,
    1,
    new Uint8Array(SIZE * SIZE).fill(100),
  );
  fs.mkdirSync(at('projects', 'out-folder.tif'));
  cases.push({
    id: 'project-export-out-is-folder',
    group: 'project files',
    what: 'export --out naming a folder',
    cli: exportArgs(project('export-folder'), 'geotiff', at('projects', 'out-folder.tif')),
    expect: { exit: 3, code: 'EXPORT_NOT_A_FILE' },
    host: hostExportsRaster(project('export-folder'), at('projects', 'out-folder.tif'), 'EXPORT_NOT_A_FILE'),
  });

  // ---- locks ----------------------------------------------------------------------------------------------------
  const lockCase = (
    id: string,
    what: string,
    setup: (file: string) => void,
    expect: CliExpectation,
    hold?: HostileCase['hold'],
  ) => {
    const file = project(id);
    ProjectStore.create(file).close();
    setup(file);
    cases.push({
      id,
      group: 'locks',
      what,
      cli: syntheticRunArgs(file),
      expect,
      host: expect.code
        ? { calls: [{ channel: 'project:open', payload: { path: file } }], code: expect.code }
        : undefined,
      hold: hold ? () => hold() : undefined,
    });
    return file;
  };
  lockCase(
    'lock-stale-sqlite',
    'a lock file whose holder died',
    (f) => new Database(projectLockPath(f)).close(),
    { exit: 0 },
  );
  lockCase(
    'lock-garbage',
    'a lock file of random bytes',
    (f) => fs.writeFileSync(projectLockPath(f), Buffer.alloc(300, 0xab)),
    { exit: 0 },
  );
  lockCase(
    'lock-legacy-dead-pid',
    'an old JSON lock of a process that is gone',
    (f) => fs.writeFileSync(projectLockPath(f), JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname() })),
    { exit: 0 },
  );
  lockCase(
    'lock-other-machine',
    'a JSON lock written by ChangeMap on another machine',
    (f) => fs.writeFileSync(projectLockPath(f), JSON.stringify({ pid: 1, host: 'build-server-7' })),
    { exit: 3, code: 'PROJECT_IN_USE', warning: /build-server-7.*process 1.*\.lock.*changemap unlock/ },
  );
  const held = project('lock-held');
  lockCase(
    'lock-held',
    'a project another process holds',
    () => undefined,
    { exit: 3, code: 'PROJECT_IN_USE' },
    () => {
      const db = new Database(projectLockPath(held), { timeout: 0 });
      db.exec('BEGIN IMMEDIATE');
      return () => db.close();
    },
  );
  lockCase(
    'lock-is-folder',
    'the lock path is a folder',
    (f) => (fs.rmSync(projectLockPath(f)), fs.mkdirSync(projectLockPath(f))),
    { exit: 3, code: 'PROJECT_LOCK_UNUSABLE' },
  );
  const other = project('unlock-other');
  ProjectStore.create(other).close();
  fs.writeFileSync(projectLockPath(other), JSON.stringify({ pid: 1, host: 'build-server-7' }));
  cases.push({
    id: 'lock-unlock-other-machine',
    group: 'locks',
    what: '`changemap unlock` takes over a lock from another machine',
    cli: ['unlock', '--project', other],
    expect: {
      exit: 0,
      warning: /build-server-7/,
      after: () =>
        fs.existsSync(projectLockPath(other)) &&
        fs.readFileSync(projectLockPath(other), 'utf8').includes('build-server-7')
          ? 'the lock is still there'
          : null,
    },
  });

  // ---- flags ----------------------------------------------------------------------------------------------------
  const flag = (id: string, what: string, more: string[], hostPayload?: Record<string, unknown>) =>
    cases.push({
      id,
      group: 'flags',
      what,
      cli: syntheticRunArgs(project(id), more),
      expect: { exit: 2, after: nothingLeft(project(id)) },
      host: hostPayload
        ? { calls: [{ channel: 'run:start', payload: { model: MODEL, ...hostPayload } }], code: 'VALIDATION' }
        : undefined,
    });
  flag('flag-threads-100000', '--threads 100000', ['--threads', '100000'], { threads: 100000 });
  flag('flag-sessions-1000', '--sessions 1000', ['--sessions', '1000'], { sessions: 1000 });
  flag('flag-batch-100000', '--batch 100000', ['--batch', '100000'], { batchSize: 100000 });
  flag('flag-memory-budget-0', '--memory-budget 0', ['--memory-budget', '0'], { memoryBudgetMiB: 0 });
  flag('flag-memory-budget-huge', '--memory-budget 1e15', ['--memory-budget', '1e15'], {
    memoryBudgetMiB: 1e15,
  });
  flag('flag-memory-budget-text', '--memory-budget lots', ['--memory-budget', 'lots']);
  flag('flag-chunk-size-99999', '--chunk-size 99999', ['--chunk-size', '99999'], { chunkSize: 99999 });
  flag('flag-aoi-nan', '--aoi NaN,0,1,1', ['--aoi', 'NaN,0,1,1']);
  flag('flag-threshold-2', '--threshold 2', ['--threshold', '2']);
  flag('flag-date-13th-month', '--before-date 2020-13-45', ['--before-date', '2020-13-45']);
  flag('flag-pixel-size-negative', '--pixel-size -1', ['--pixel-size', '-1']);
  cases.push({
    id: 'flag-synthetic-200000-squared',
    group: 'flags',
    what: '--synthetic 200000x200000',
    cli: ['run', '--synthetic', '200000x200000', '--project', project('synthetic-huge'), '--model', MODEL],
    expect: { exit: 2, warning: /200000x200000.*20000/, after: nothingLeft(project('synthetic-huge')) },
  });
  cases.push({
    id: 'flag-aoi-outside',
    group: 'flags',
    what: '--aoi far outside the imagery',
    cli: runArgs('flag-aoi-outside', shared.before, shared.after, ['--aoi', '0,0,10,10']),
    expect: { exit: 3, code: 'RUN_AOI_OUTSIDE', after: nothingLeft(project('flag-aoi-outside')) },
  });

  // ---- special files --------------------------------------------------------------------------------------------
  execFileSync('mkfifo', [input('pipe.tif')]);
  imagery('special files', 'special-fifo', 'a named pipe as imagery', input('pipe.tif'), 'FILE_NOT_A_FILE');
  imagery(
    'special files',
    'special-dev-urandom',
    '/dev/urandom as imagery',
    '/dev/urandom',
    'FILE_NOT_A_FILE',
  );
  imagery('special files', 'special-dev-null', '/dev/null as imagery', '/dev/null', 'FILE_NOT_A_FILE');
  fs.mkdirSync(input('folder.tif'));
  imagery('special files', 'special-folder', 'a folder as imagery', input('folder.tif'), 'FILE_NOT_A_FILE');
  fs.symlinkSync(input('loop-b.tif'), input('loop-a.tif'));
  fs.symlinkSync(input('loop-a.tif'), input('loop-b.tif'));
  imagery(
    'special files',
    'special-symlink-loop',
    'a symbolic link loop',
    input('loop-a.tif'),
    'FILE_NOT_FOUND',
  );
  imagery(
    'special files',
    'special-missing-file',
    'a path that does not exist',
    input('nope.tif'),
    'FILE_NOT_FOUND',
  );

  // ---- socket frames (the browser host only) ---------------------------------------------------------------------
  const frame = (id: string, what: string, bytes: Buffer, close: number) =>
    cases.push({ id, group: 'socket frames', what, host: { frame: bytes, close } });
  frame('ws-reserved-opcode', 'a frame with the reserved opcode 0x3', wsFrame(0x3, Buffer.alloc(0)), 1002);
  frame(
    'ws-unmasked',
    'an unmasked text frame from the client',
    wsFrame(0x1, Buffer.from('{}'), { unmasked: true }),
    1002,
  );
  frame('ws-3mib-frame', 'one 3 MiB text frame', wsFrame(0x1, Buffer.alloc(3 << 20, 0x20)), 1009);
  frame(
    'ws-invalid-utf8',
    'a text frame that is not UTF-8',
    wsFrame(0x1, Buffer.from([0xff, 0xfe, 0xfd])),
    1007,
  );
  frame(
    'ws-orphan-continuation',
    'a continuation frame with nothing to continue',
    wsFrame(0x0, Buffer.from('x')),
    1002,
  );
  frame(
    'ws-fragmented-control',
    'a ping frame not final',
    wsFrame(0x9, Buffer.from('x'), { fin: false }),
    1002,
  );
  frame('ws-rsv-bits', 'a frame with RSV1 set and no extension', Buffer.from([0xc1, 0x80, 1, 2, 3, 4]), 1002);
  frame(
    'ws-length-2-63',
    'a frame claiming 2^63 bytes',
    Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]),
    1009,
  );
  cases.push({
    id: 'ws-oversize-valid-call',
    group: 'socket frames',
    what: 'a valid call whose message is over the size limit',
    host: {
      message: JSON.stringify({ seq: 1, type: 'app:info', payload: { pad: 'x'.repeat(2 << 20) } }),
      close: 1009,
    },
  });
  cases.push({
    id: 'ws-not-json',
    group: 'socket frames',
    what: 'a message that is not JSON',
    host: { message: 'not json {', code: 'VALIDATION' },
  });
  cases.push({
    id: 'ws-unknown-channel',
    group: 'socket frames',
    what: 'a call to a channel that does not exist',
    host: {
      message: JSON.stringify({ seq: 3, type: 'fs:delete', payload: { path: '/' } }),
      code: 'UNKNOWN_CHANNEL',
    },
  });
  cases.push({
    id: 'ws-proto-pollution',
    group: 'socket frames',
    what: 'a payload carrying __proto__',
    host: {
      message: '{"seq":4,"type":"project:open","payload":{"__proto__":{"path":"/etc/passwd"}}}',
      code: 'VALIDATION',
    },
  });
  cases.push({
    id: 'ws-deep-json',
    group: 'socket frames',
    what: 'a payload nested 100000 deep',
    host: {
      message: `{"seq":5,"type":"app:info","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      code: 'VALIDATION',
    },
  });
  return cases;
}
