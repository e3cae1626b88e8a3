// Mutations of seed files, as plain JSON (so a shrunk counterexample is committed as it is and replayed), their
// application to bytes, and the fast-check arbitraries that draw them. Each aims at a layer a reader trusts: raw
// bytes and length, the TIFF directory's fields and the arrays they point to, the VRT's XML, the SQLite pages
// and the JSON and path columns a project stores.
import fc from 'fast-check';

export type Mutation =
  /** XOR one byte (position modulo the file's length). */
  | { k: 'flip'; at: number; xor: number; file?: number }
  /** Keep only the first `keep` (0..1) of the file. */
  | { k: 'truncate'; keep: number; file?: number }
  /** Overwrite a field of the first image directory's entry `entry` (modulo the entry count). */
  | { k: 'ifd'; entry: number; field: 'tag' | 'type' | 'count' | 'value'; value: number; file?: number }
  /** Overwrite element `index` of the array entry `entry` points to (its type's width; inline arrays too). */
  | { k: 'array'; entry: number; index: number; value: number; file?: number }
  /** Point the first directory's next-IFD pointer at `value`, itself ('self') or the first directory ('first'). */
  | { k: 'next'; value: number | 'self' | 'first'; file?: number }
  /** XML: set attribute `attr` of element `element` (document order, modulo the count). */
  | { k: 'xmlAttr'; element: number; attr: string; value: string }
  /** XML: replace the text of leaf element `element`. */
  | { k: 'xmlText'; element: number; value: string }
  /** XML: remove, or repeat, leaf element `element`. */
  | { k: 'xmlDrop' | 'xmlDup'; element: number }
  /** SQLite: XOR byte `at` of page `page` (both modulo the file's pages and page size). */
  | { k: 'page'; page: number; at: number; xor: number }
  /** Project: store `value` in column `target` (see PROJECT_COLUMNS) of every row. */
  | { k: 'column'; target: number; value: string | number | null };

/** Which file of the case a byte mutation hits: the main file (0) or a source beside it, by sorted name. */
export function targetFile(m: Mutation, names: string[], main: string): string {
  const index = 'file' in m && m.file !== undefined ? m.file : 0;
  const others = names.filter((n) => n !== main).sort();
  return index === 0 || others.length === 0 ? main : others[(index - 1) % others.length];
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes and TIFF directories

interface IfdEntry {
  /** Byte position of the 12-byte entry. */
  at: number;
  type: number;
  count: number;
  /** Where its values are: inline in the entry, or at the offset it holds. */
  valuesAt: number;
}

const TYPE_WIDTH: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  11: 4,
  12: 8,
  16: 8,
};

/** The entries of the first directory of a classic little-endian TIFF, or null when there is none to find. */
function firstIfd(bytes: Uint8Array): { at: number; entries: IfdEntry[]; nextAt: number } | null {
  if (bytes.length < 8 || bytes[0] !== 0x49 || bytes[1] !== 0x49 || bytes[2] !== 42) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = view.getUint32(4, true);
  if (at + 2 > bytes.length) return null;
  const count = view.getUint16(at, true);
  const entries: IfdEntry[] = [];
  for (let i = 0; i < count && at + 2 + (i + 1) * 12 <= bytes.length; i++) {
    const e = at + 2 + i * 12;
    const type = view.getUint16(e + 2, true);
    const n = view.getUint32(e + 4, true);
    const size = (TYPE_WIDTH[type] ?? 1) * n;
    entries.push({ at: e, type, count: n, valuesAt: size <= 4 ? e + 8 : view.getUint32(e + 8, true) });
  }
  return { at, entries, nextAt: at + 2 + count * 12 };
}

function setUint(bytes: Uint8Array, at: number, width: number, value: number): void {
  if (at < 0 || at + width > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v = value >>> 0;
  if (width === 1) view.setUint8(at, v & 0xff);
  else if (width === 2) view.setUint16(at, v & 0xffff, true);
  else if (width === 4) view.setUint32(at, v, true);
  else view.setFloat64(at, value, true);
}

/** Applies a byte-level mutation to a copy of `bytes` (XML and project mutations are applied elsewhere). */
export function mutateBytes(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (m.k === 'truncate') return bytes.slice(0, Math.floor(bytes.length * m.keep));
  const out = bytes.slice();
  if (out.length === 0) return out;
  if (m.k === 'flip') {
    out[m.at % out.length] ^= m.xor || 1;
    return out;
  }
  const ifd = firstIfd(out);
  if (!ifd) return out;
  if (m.k === 'next') {
    setUint(out, ifd.nextAt, 4, m.value === 'self' ? ifd.at : m.value === 'first' ? 8 : m.value);
    return out;
  }
  if (ifd.entries.length === 0) return out;
  if (m.k === 'ifd' || m.k === 'array') {
    const entry = ifd.entries[m.entry % ifd.entries.length];
    if (m.k === 'ifd') {
      const field = { tag: [0, 2], type: [2, 2], count: [4, 4], value: [8, 4] }[m.field];
      setUint(out, entry.at + field[0], field[1], m.value);
    } else if (entry.count > 0) {
      const width = TYPE_WIDTH[entry.type] ?? 1;
      setUint(out, entry.valuesAt + (m.index % entry.count) * width, width, m.value);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// XML (VRT)

/** Applies an XML mutation to the text; elements are counted in document order. */
export function mutateXml(text: string, m: Mutation): string {
  if (m.k === 'xmlAttr') {
    const starts = [...text.matchAll(/<([A-Za-z][\w.-]*)([^<>]*?)(\/?)>/g)];
    if (starts.length === 0) return text;
    const start = starts[m.element % starts.length];
    const attrs = start[2].replace(new RegExp(`\\s${m.attr}="[^"]*"`), '');
    const value = m.value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const replaced = `<${start[1]}${attrs} ${m.attr}="${value}"${start[3]}>`;
    return text.slice(0, start.index) + replaced + text.slice(start.index! + start[0].length);
  }
  if (m.k === 'xmlText' || m.k === 'xmlDrop' || m.k === 'xmlDup') {
    const leaves = [...text.matchAll(/<([A-Za-z][\w.-]*)([^<>]*?)(?:\/>|>([^<]*)<\/\1>)/g)];
    if (leaves.length === 0) return text;
    const leaf = leaves[m.element % leaves.length];
    const before = text.slice(0, leaf.index);
    const after = text.slice(leaf.index! + leaf[0].length);
    if (m.k === 'xmlDrop') return before + after;
    if (m.k === 'xmlDup') return before + leaf[0] + leaf[0] + after;
    if (m.k !== 'xmlText') return text;
    const value = m.value.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    return `${before}<${leaf[1]}${leaf[2]}>${value}</${leaf[1]}>${after}`;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite pages (the column mutations need a database connection: see projectMutations.ts)

export function mutatePage(bytes: Uint8Array, m: Extract<Mutation, { k: 'page' }>): Uint8Array {
  const out = bytes.slice();
  if (out.length < 100) return out;
  const raw = (out[16] << 8) | out[17];
  const pageSize = raw === 1 ? 65536 : raw || 4096;
  const pages = Math.max(1, Math.floor(out.length / pageSize));
  const at = (m.page % pages) * pageSize + (m.at % pageSize);
  if (at < out.length) out[at] ^= m.xor || 1;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

/** Numbers readers trip on: zero, one, type edges, sizes just past small files, sign bits. */
const interestingUint = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 7, 8, 15, 16, 17, 255, 256, 4095, 65_535, 65_536, 200_000),
  fc.constantFrom(0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff),
  fc.nat({ max: 4096 }),
  fc.nat(),
);

const interestingText = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e308',
    'NaN',
    'nan',
    '-0',
    '99999999999',
    'x',
    'Byte',
    'CFloat64',
    'VRTWarpedDataset',
    'VRTDerivedRasterBand',
    '/dev/zero',
    '/etc/passwd',
    '../../../etc/hostname',
    'missing.tif',
    'a.vrt',
    'EPSG:4326',
    'EPSG:999999',
    'LOCAL_CS["x"]',
    '1,2,3',
    '0, 0, 0, 0, 0, 0',
    '500000, 0, 0, 5600000, 0, 0',
  ),
  fc.string({ maxLength: 12 }),
);

const fileIndex = fc.option(fc.nat({ max: 3 }), { nil: undefined });

const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    k: fc.constant('flip' as const),
    at: fc.nat(),
    xor: fc.integer({ min: 1, max: 255 }),
    file: fileIndex,
  }),
  fc.record({
    k: fc.constant('truncate' as const),
    keep: fc.double({ min: 0, max: 1, noNaN: true }),
    file: fileIndex,
  }),
);

const tiffMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: byteMutation, weight: 2 },
  {
    arbitrary: fc.record({
      k: fc.constant('ifd' as const),
      entry: fc.nat({ max: 40 }),
      field: fc.constantFrom('tag' as const, 'type' as const, 'count' as const, 'value' as const),
      value: interestingUint,
      file: fileIndex,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('array' as const),
      entry: fc.nat({ max: 40 }),
      index: fc.nat({ max: 64 }),
      value: interestingUint,
      file: fileIndex,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('next' as const),
      value: fc.oneof(fc.constantFrom('self' as const, 'first' as const), interestingUint),
      file: fileIndex,
    }),
    weight: 1,
  },
);

const XML_ATTRS = [
  'rasterXSize',
  'rasterYSize',
  'dataType',
  'band',
  'subClass',
  'relativeToVRT',
  'xOff',
  'yOff',
  'xSize',
  'ySize',
];

const xmlMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    k: fc.constant('xmlAttr' as const),
    element: fc.nat({ max: 60 }),
    attr: fc.constantFrom(...XML_ATTRS),
    value: interestingText,
  }),
  fc.record({ k: fc.constant('xmlText' as const), element: fc.nat({ max: 60 }), value: interestingText }),
  fc.record({ k: fc.constantFrom('xmlDrop' as const, 'xmlDup' as const), element: fc.nat({ max: 60 }) }),
);

export interface RasterCase {
  seed: string;
  mutations: Mutation[];
}

/** A seed and one to four mutations of it (or of its sources, for a VRT). */
export function rasterCase(tiffSeeds: string[], vrtSeeds: string[]): fc.Arbitrary<RasterCase> {
  return fc.oneof(
    {
      arbitrary: fc.record({
        seed: fc.constantFrom(...tiffSeeds),
        mutations: fc.array(tiffMutation, { minLength: 1, maxLength: 4 }),
      }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        seed: fc.constantFrom(...vrtSeeds),
        mutations: fc.array(fc.oneof(xmlMutation, xmlMutation, tiffMutation), { minLength: 1, maxLength: 4 }),
      }),
      weight: 2,
    },
  );
}

/** Values a project column may be damaged into: broken or odd JSON, paths that leave the project, huge text. */
const columnValue: fc.Arbitrary<string | number | null> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    'not json',
    'null',
    '[]',
    '{}',
    '0',
    '"text"',
    '[1,2',
    '{"width":-1,"height":1e309}',
    '{"grid":null}',
    '{"grid":{"width":1e9,"height":1e9,"geoTransform":[0,0,0,0,0,0],"crs":{"code":"EPSG:32633"}}}',
    '["a","b"]',
    '../../../../etc/hostname',
    '/etc/passwd',
    '/dev/zero',
    'runs/1/../../../outside.tif',
    'C:\\Windows\\win.ini',
    'x'.repeat(100_000),
    '['.repeat(5000),
  ),
  fc.constantFrom(-1, 0, 1e308, null),
  fc.string({ maxLength: 16 }),
);

export function projectMutation(columnCount: number): fc.Arbitrary<Mutation> {
  return fc.oneof(
    {
      arbitrary: fc.record({
        k: fc.constant('column' as const),
        target: fc.nat({ max: columnCount - 1 }),
        value: columnValue,
      }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        k: fc.constant('page' as const),
        page: fc.nat({ max: 64 }),
        at: fc.nat({ max: 65_535 }),
        xor: fc.integer({ min: 1, max: 255 }),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        k: fc.constant('flip' as const),
        at: fc.nat({ max: 99 }),
        xor: fc.integer({ min: 1, max: 255 }),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        k: fc.constant('truncate' as const),
        keep: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      weight: 1,
    },
  );
}
