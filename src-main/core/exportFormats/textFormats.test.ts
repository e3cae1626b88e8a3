import { describe, expect, it } from 'vitest';
import { csvField, encodeCsv } from './csv';
import { encodeGeoJsonFeatureCollection } from './geojson';
import { plainNumber } from './numberText';
import { isCounterClockwise } from '../geo/rings';
import { multiPolygonWkt } from './wkt';

describe('plain numbers', () => {
  it('never uses exponent notation for small values and round-trips', () => {
    expect(plainNumber(1e-7)).toBe('0.0000001');
    expect(plainNumber(-2.5e-9)).toBe('-0.0000000025');
    expect(Number(plainNumber(1.234567890123e-8))).toBe(1.234567890123e-8);
    expect(plainNumber(500123.25)).toBe('500123.25');
    expect(plainNumber(Number.NaN)).toBe('');
  });
});

describe('CSV', () => {
  it('quotes commas, quotes, line breaks and edge spaces, and nothing else', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
  });

  it('writes a BOM, a header and CRLF rows', () => {
    const text = encodeCsv(
      ['id', 'note'],
      [
        [1, 'Baustelle – Straße'],
        [2, null],
      ],
    );
    expect(text).toBe('\uFEFFid,note\r\n1,Baustelle – Straße\r\n2,\r\n');
    expect(encodeCsv(['a'], [], { byteOrderMark: false })).toBe('a\r\n');
  });

  it('rejects a row of the wrong width', () => {
    expect(() => encodeCsv(['a', 'b'], [[1]])).toThrow(RangeError);
  });
});

describe('WKT', () => {
  it('writes a multipolygon with a hole (re-wound clockwise) and an empty one', () => {
    const wkt = multiPolygonWkt([
      [
        [0, 0, 1, 0, 1, 1, 0, 0],
        [0.2, 0.2, 0.3, 0.2, 0.3, 0.3, 0.2, 0.2],
      ],
      [[5, 5, 6, 5, 6, 6, 5, 5]],
    ]);
    expect(wkt).toBe(
      'MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0), (0.2 0.2, 0.3 0.3, 0.3 0.2, 0.2 0.2)), ((5 5, 6 5, 6 6, 5 5)))',
    );
    expect(multiPolygonWkt([])).toBe('MULTIPOLYGON EMPTY');
  });
});

describe('GeoJSON', () => {
  it('writes RFC 7946 features with right-hand-rule rings and no crs member', () => {
    const cwExterior = [0, 0, 0, 1, 1, 1, 1, 0, 0, 0];
    const ccwHole = [0.2, 0.2, 0.4, 0.2, 0.4, 0.4, 0.2, 0.2];
    const text = encodeGeoJsonFeatureCollection([
      { id: 7, geometry: [[cwExterior, ccwHole]], properties: { note: 'Straße', area: Number.NaN } },
      { geometry: null, properties: {} },
    ]);
    const fc = JSON.parse(text);
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.crs).toBeUndefined();
    expect(fc.features).toHaveLength(2);
    expect(fc.features[0].id).toBe(7);
    expect(fc.features[0].properties).toEqual({ note: 'Straße', area: null });
    const [exterior, hole] = fc.features[0].geometry.coordinates[0] as number[][][];
    expect(isCounterClockwise(exterior.flat())).toBe(true);
    expect(isCounterClockwise(hole.flat())).toBe(false);
    expect(fc.features[1].geometry).toBeNull();
  });
});
