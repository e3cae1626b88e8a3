// Tiny classic TIFFs built byte by byte, for tests and the hostile-input corpus (scripts/hostile): a valid one-strip
// 8-bit image whose every tag, byte and pointer a case can damage.
import { encodeHeader, encodeIfd, TiffType, type TiffTag } from '../../../core/raster/tiffIfd';

export interface TinyTiff {
  width?: number;
  height?: number;
  /** Pixel bytes as stored (already compressed when `compression` says so). */
  data?: Uint8Array;
  compression?: number;
  /** Replaces or adds tags (by tag number), as LONG unless a type is given; a `null` value drops the tag. */
  tags?: Record<number, TiffTag['values'] | { type: TiffType; values: TiffTag['values'] } | null>;
  /** Where the IFD's next-IFD pointer leads: 'self' for a one-directory loop. */
  next?: number | 'self';
}

/** A one-strip, one-band 8-bit classic TIFF: header, pixel bytes, then the IFD. */
export function tinyTiff(options: TinyTiff = {}): Uint8Array {
  const width = options.width ?? 16;
  const height = options.height ?? 16;
  const data = options.data ?? new Uint8Array(width * height).fill(7);
  const ifdAt = 8 + data.length + (data.length & 1);
  const base: Record<number, TiffTag> = {};
  const put = (tag: number, type: TiffType, values: TiffTag['values']) => (base[tag] = { tag, type, values });
  put(256, TiffType.LONG, [width]);
  put(257, TiffType.LONG, [height]);
  put(258, TiffType.SHORT, [8]);
  put(259, TiffType.SHORT, [options.compression ?? 1]);
  put(262, TiffType.SHORT, [1]);
  put(273, TiffType.LONG, [8]);
  put(277, TiffType.SHORT, [1]);
  put(278, TiffType.LONG, [height]);
  put(279, TiffType.LONG, [data.length]);
  for (const [tag, value] of Object.entries(options.tags ?? {})) {
    if (value === null) delete base[Number(tag)];
    else if (typeof value === 'object' && 'type' in value) put(Number(tag), value.type, value.values);
    else put(Number(tag), TiffType.LONG, value);
  }
  const ifd = encodeIfd(Object.values(base), ifdAt, false);
  const next = options.next === 'self' ? ifdAt : (options.next ?? 0);
  new DataView(ifd.bytes.buffer).setUint32(ifd.nextPointerAt, next, true);
  const out = new Uint8Array(ifdAt + ifd.bytes.length);
  out.set(encodeHeader(ifdAt, false));
  out.set(data, 8);
  out.set(ifd.bytes, ifdAt);
  return out;
}

/** Two IFDs pointing at each other: the tiny TIFF's directory, then a copy of it after the file's end. */
export function tinyTiffPairLoop(): Uint8Array {
  const one = tinyTiff();
  const ifdAt = new DataView(one.buffer).getUint32(4, true);
  const ifdBytes = one.subarray(ifdAt);
  const secondAt = one.length + (one.length & 1);
  const bytes = new Uint8Array(secondAt + ifdBytes.length);
  bytes.set(one);
  bytes.set(ifdBytes, secondAt);
  const pointerAt = 2 + new DataView(one.buffer).getUint16(ifdAt, true) * 12;
  new DataView(bytes.buffer).setUint32(ifdAt + pointerAt, secondAt, true);
  new DataView(bytes.buffer).setUint32(secondAt + pointerAt, ifdAt, true);
  return bytes;
}
