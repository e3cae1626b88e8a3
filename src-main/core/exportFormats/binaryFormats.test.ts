import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ChangeMapError } from '../errors';
import { encodeDbf, utf8Prefix, type DbfField } from './dbf';
import { isCounterClockwise } from '../geo/rings';
import { encodeShapefilePolygons } from './shp';
import { encodeShapefileZip } from './shapefileZip';

const fields: DbfField[] = [
  { name: 'id', type: 'N', length: 10, decimals: 0 },
  { name: 'area_m2', type: 'N', length: 12, decimals: 2 },
  { name: 'note', type: 'C', length: 12 },
  { name: 'before_dt', type: 'D' },
];

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return new TextDecoder().decode(bytes.subarray(start, end));
}

describe('DBF writer', () => {
  it('writes header, field descriptors and right-aligned numbers', () => {
    const dbf = encodeDbf(
      fields,
      [
        [3, 1234.567, 'Straße', '2021-06-01'],
        [4, null, null, null],
      ],
      {
        updated: new Date(Date.UTC(2024, 4, 9)),
      },
    );
    const view = new DataView(dbf.buffer);
    expect(dbf[0]).toBe(3);
    expect([dbf[1], dbf[2], dbf[3]]).toEqual([124, 5, 9]);
    expect(view.getUint32(4, true)).toBe(2);
    const headerLength = view.getUint16(8, true);
    const recordLength = view.getUint16(10, true);
    expect(headerLength).toBe(32 + 4 * 32 + 1);
    expect(recordLength).toBe(1 + 10 + 12 + 12 + 8);
    expect(ascii(dbf, 32, 34)).toBe('id');
    expect(String.fromCharCode(dbf[32 + 3 * 32 + 11])).toBe('D');
    expect(dbf[headerLength - 1]).toBe(0x0d);
    const first = dbf.subarray(headerLength, headerLength + recordLength);
    expect(ascii(first, 0, 11)).toBe('          3');
    expect(ascii(first, 11, 23)).toBe('     1234.57');
    expect(ascii(first, 23, 35).trimEnd()).toBe('Straße');
    expect(ascii(first, 35, 43)).toBe('20210601');
    const second = dbf.subarray(headerLength + recordLength, headerLength + 2 * recordLength);
    expect(ascii(second, 0, 11)).toBe('          4');
    expect(ascii(second, 11, recordLength).trim()).toBe('');
    expect(dbf[dbf.length - 1]).toBe(0x1a);
  });

  it('cuts long UTF-8 text at a character boundary', () => {
    // "ß" is 2 bytes: 11 ASCII + "ß" would be 13 bytes, so the cut must drop the whole "ß"
    expect(new TextDecoder().decode(utf8Prefix('abcdefghijkß', 12))).toBe('abcdefghijk');
    expect(utf8Prefix('€€€', 7)).toHaveLength(6);
  });

  it('rejects field names over 10 characters, duplicates and numbers that do not fit', () => {
    const long: DbfField[] = [{ name: 'from_classes', type: 'C', length: 5 }];
    expect(() => encodeDbf(long, [])).toThrow(ChangeMapError);
    const dup: DbfField[] = [
      { name: 'a', type: 'C', length: 5 },
      { name: 'A', type: 'C', length: 5 },
    ];
    expect(() => encodeDbf(dup, [])).toThrow(/twice/);
    expect(() => encodeDbf([{ name: 'n', type: 'N', length: 4, decimals: 0 }], [[123456]])).toThrow(
      /does not fit/,
    );
  });
});

describe('SHP/SHX writer', () => {
  const ccwExterior = [0, 0, 10, 0, 10, 10, 0, 10, 0, 0];
  const cwHole = [2, 2, 2, 4, 4, 4, 4, 2, 2, 2];

  it('writes polygon records with clockwise exteriors, a Null shape for empty geometry and a matching index', () => {
    const { shp, shx } = encodeShapefilePolygons([
      [[ccwExterior, cwHole]],
      [],
      [[[20, 20, 21, 20, 21, 21, 20, 20]]],
    ]);
    const view = new DataView(shp.buffer);
    expect(view.getInt32(0, false)).toBe(9994);
    expect(view.getInt32(24, false) * 2).toBe(shp.length);
    expect(view.getInt32(32, true)).toBe(5);
    expect([
      view.getFloat64(36, true),
      view.getFloat64(44, true),
      view.getFloat64(52, true),
      view.getFloat64(60, true),
    ]).toEqual([0, 0, 21, 21]);
    const index = new DataView(shx.buffer);
    expect(index.getInt32(24, false) * 2).toBe(100 + 3 * 8);
    // First record: 2 parts, 10 points
    const o = index.getInt32(100, false) * 2;
    expect(o).toBe(100);
    expect(view.getInt32(o, false)).toBe(1);
    expect(view.getInt32(o + 8, true)).toBe(5);
    expect(view.getInt32(o + 44, true)).toBe(2);
    expect(view.getInt32(o + 48, true)).toBe(10);
    const points = o + 8 + 44 + 8;
    const ring = (start: number, n: number) =>
      Array.from({ length: n * 2 }, (_, k) => view.getFloat64(points + (start * 2 + k) * 8, true));
    expect(isCounterClockwise(ring(0, 5))).toBe(false);
    expect(isCounterClockwise(ring(5, 5))).toBe(true);
    // Second record: Null shape
    const o2 = index.getInt32(108, false) * 2;
    expect(view.getInt32(o2, false)).toBe(2);
    expect(view.getInt32(o2 + 4, false)).toBe(2);
    expect(view.getInt32(o2 + 8, true)).toBe(0);
  });

  it('zips the five parts with a UTF-8 .cpg', () => {
    const zip = encodeShapefileZip({
      baseName: 'regions',
      geometries: [[[ccwExterior]]],
      fields: [{ name: 'id', type: 'N', length: 4, decimals: 0 }],
      records: [[1]],
      prjWkt: 'GEOGCS["WGS 84"]',
    });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([
      'regions.cpg',
      'regions.dbf',
      'regions.prj',
      'regions.shp',
      'regions.shx',
    ]);
    expect(new TextDecoder().decode(files['regions.cpg'])).toBe('UTF-8');
    expect(() =>
      encodeShapefileZip({ baseName: 'x', geometries: [], fields: [], records: [[1]], prjWkt: '' }),
    ).toThrow(RangeError);
  });
});
