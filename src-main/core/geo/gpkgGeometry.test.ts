import { describe, expect, it } from 'vitest';
import { decodeGpkgMultiPolygon, encodeGpkgMultiPolygon, encodeWkbMultiPolygon } from './gpkgGeometry';

describe('GeoPackage geometry blobs', () => {
  const square = [0, 0, 10, 0, 10, 10, 0, 10, 0, 0];
  const hole = [2, 2, 2, 4, 4, 4, 4, 2, 2, 2];
  const far = [20, 20, 21, 20, 21, 21, 20, 20];

  it('round-trips a multipolygon with a hole and keeps the SRS id', () => {
    const blob = encodeGpkgMultiPolygon([[square, hole], [far]], 32633);
    const { srsId, geometry } = decodeGpkgMultiPolygon(blob);
    expect(srsId).toBe(32633);
    expect(geometry.map((p) => p.map((r) => Array.from(r)))).toEqual([[square, hole], [far]]);
  });

  it('writes the header GeoPackage readers expect', () => {
    const blob = encodeGpkgMultiPolygon([[square]], 4326);
    expect(String.fromCharCode(blob[0], blob[1])).toBe('GP');
    expect(blob[3]).toBe(0b011);
    const view = new DataView(blob.buffer);
    expect([
      view.getFloat64(8, true),
      view.getFloat64(16, true),
      view.getFloat64(24, true),
      view.getFloat64(32, true),
    ]).toEqual([0, 10, 0, 10]);
    // WKB follows the 40-byte header: little endian multipolygon with one polygon
    expect(Array.from(blob.subarray(40, 49))).toEqual(
      Array.from(encodeWkbMultiPolygon([[square]]).subarray(0, 9)),
    );
  });

  it('marks an empty geometry as empty', () => {
    const blob = encodeGpkgMultiPolygon([], 4326);
    expect(blob[3] & 0b10000).toBeTruthy();
    expect(decodeGpkgMultiPolygon(blob).geometry).toEqual([]);
  });

  it('rejects bytes that are not a GeoPackage geometry', () => {
    expect(() => decodeGpkgMultiPolygon(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/GeoPackage/);
  });
});
