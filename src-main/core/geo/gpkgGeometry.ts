// GeoPackage geometry blobs (GeoPackage 1.3, clause 2.1.3) holding OGC WKB multipolygons.
// Written by hand: the npm WKB codecs (wkx, @ngageoint/geopackage) are Buffer-bound, unmaintained or pull in a
// whole GeoPackage stack; this is 100 lines over DataView and stays pure (usable in core and the renderer).

/** A ring as flat coordinates [x0, y0, x1, y1, ...], closed (first point repeated last). */
export type FlatRing = ArrayLike<number>;
/** A polygon: exterior ring first, then holes. */
export type FlatPolygon = FlatRing[];
export type FlatMultiPolygon = FlatPolygon[];

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

export interface Envelope {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function envelopeOf(mp: FlatMultiPolygon): Envelope {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const polygon of mp) {
    const ring = polygon[0];
    if (!ring) continue;
    for (let i = 0; i < ring.length; i += 2) {
      const x = ring[i];
      const y = ring[i + 1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return { minX, minY, maxX, maxY };
}

function wkbMultiPolygonSize(mp: FlatMultiPolygon): number {
  let size = 1 + 4 + 4;
  for (const polygon of mp) {
    size += 1 + 4 + 4;
    for (const ring of polygon) size += 4 + ring.length * 8;
  }
  return size;
}

function writeWkbMultiPolygon(view: DataView, offset: number, mp: FlatMultiPolygon): number {
  let o = offset;
  view.setUint8(o, 1);
  view.setUint32(o + 1, WKB_MULTIPOLYGON, true);
  view.setUint32(o + 5, mp.length, true);
  o += 9;
  for (const polygon of mp) {
    view.setUint8(o, 1);
    view.setUint32(o + 1, WKB_POLYGON, true);
    view.setUint32(o + 5, polygon.length, true);
    o += 9;
    for (const ring of polygon) {
      view.setUint32(o, ring.length / 2, true);
      o += 4;
      for (let i = 0; i < ring.length; i++, o += 8) view.setFloat64(o, ring[i], true);
    }
  }
  return o;
}

/** Plain OGC WKB (little endian) of a multipolygon. */
export function encodeWkbMultiPolygon(mp: FlatMultiPolygon): Uint8Array {
  const bytes = new Uint8Array(wkbMultiPolygonSize(mp));
  writeWkbMultiPolygon(new DataView(bytes.buffer), 0, mp);
  return bytes;
}

/** A GeoPackage geometry blob: header with SRS id and XY envelope, then WKB. Empty input gives an empty geometry. */
export function encodeGpkgMultiPolygon(mp: FlatMultiPolygon, srsId: number): Uint8Array {
  const empty = mp.length === 0;
  const headerSize = 8 + (empty ? 0 : 32);
  const bytes = new Uint8Array(headerSize + wkbMultiPolygonSize(mp));
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x47); // 'G'
  view.setUint8(1, 0x50); // 'P'
  view.setUint8(2, 0); // version 1
  // flags: little endian (bit 0), envelope [minx,maxx,miny,maxy] (indicator 1, bits 1-3), empty (bit 4)
  view.setUint8(3, empty ? 0b10001 : 0b00011);
  view.setInt32(4, srsId, true);
  if (!empty) {
    const env = envelopeOf(mp);
    view.setFloat64(8, env.minX, true);
    view.setFloat64(16, env.maxX, true);
    view.setFloat64(24, env.minY, true);
    view.setFloat64(32, env.maxY, true);
  }
  writeWkbMultiPolygon(view, headerSize, mp);
  return bytes;
}

const ENVELOPE_DOUBLES = [0, 4, 6, 6, 8, 0, 0, 0];

/** Reads a GeoPackage blob holding a WKB polygon or multipolygon. */
export function decodeGpkgMultiPolygon(blob: Uint8Array): { srsId: number; geometry: FlatMultiPolygon } {
  // A damaged project may hold text or a number where a blob belongs.
  if (!(blob instanceof Uint8Array) || blob.byteLength < 8) throw new Error('Not a GeoPackage geometry blob');
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint8(0) !== 0x47 || view.getUint8(1) !== 0x50)
    throw new Error('Not a GeoPackage geometry blob');
  const flags = view.getUint8(3);
  const little = (flags & 1) === 1;
  const envelopeKind = (flags >> 1) & 0b111;
  const srsId = view.getInt32(4, little);
  const wkbOffset = 8 + ENVELOPE_DOUBLES[envelopeKind] * 8;
  return { srsId, geometry: decodeWkbMultiPolygon(blob.subarray(wkbOffset)) };
}

/** Reads OGC WKB holding a polygon or multipolygon (either byte order). */
export function decodeWkbMultiPolygon(wkb: Uint8Array): FlatMultiPolygon {
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
  let o = 0;
  const readHeader = (): { little: boolean; type: number } => {
    const little = view.getUint8(o) === 1;
    const type = view.getUint32(o + 1, little);
    o += 5;
    return { little, type };
  };
  const readPolygon = (little: boolean): FlatPolygon => {
    const rings = view.getUint32(o, little);
    o += 4;
    const polygon: FlatPolygon = [];
    for (let r = 0; r < rings; r++) {
      const points = view.getUint32(o, little);
      o += 4;
      // Counts are checked against the bytes there before allocating: a damaged count (2^32 - 1 points) would
      // otherwise allocate gigabytes before the read fails.
      if (points * 16 > wkb.byteLength - o)
        throw new Error(`WKB ring of ${points} points runs past the blob`);
      const ring = new Float64Array(points * 2);
      for (let i = 0; i < ring.length; i++, o += 8) ring[i] = view.getFloat64(o, little);
      polygon.push(ring);
    }
    return polygon;
  };
  const head = readHeader();
  if (head.type === WKB_POLYGON) return [readPolygon(head.little)];
  if (head.type !== WKB_MULTIPOLYGON) throw new Error(`Unsupported WKB geometry type ${head.type}`);
  const count = view.getUint32(o, head.little);
  o += 4;
  const mp: FlatMultiPolygon = [];
  for (let p = 0; p < count; p++) {
    const inner = readHeader();
    if (inner.type !== WKB_POLYGON)
      throw new Error(`Unexpected WKB type ${inner.type} inside a multipolygon`);
    mp.push(readPolygon(inner.little));
  }
  return mp;
}

/** A GeoPackage geometry blob holding one WKB point (no envelope: a point is its own). */
export function encodeGpkgPoint(x: number, y: number, srsId: number): Uint8Array {
  const bytes = new Uint8Array(8 + 21);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x47); // 'G'
  view.setUint8(1, 0x50); // 'P'
  view.setUint8(2, 0); // version 1
  view.setUint8(3, 0b00001); // little endian, no envelope
  view.setInt32(4, srsId, true);
  view.setUint8(8, 1); // WKB little endian
  view.setUint32(9, 1, true); // wkbPoint
  view.setFloat64(13, x, true);
  view.setFloat64(21, y, true);
  return bytes;
}
