// Serialises TIFF / BigTIFF image file directories. Pure byte layout, no I/O: the streaming writer places the
// bytes at the end of the file once every tile's offset is known.

export const enum TiffType {
  ASCII = 2,
  SHORT = 3,
  LONG = 4,
  DOUBLE = 12,
  LONG8 = 16,
}

const TYPE_SIZE: Record<number, number> = { 2: 1, 3: 2, 4: 4, 12: 8, 16: 8 };

export interface TiffTag {
  tag: number;
  type: TiffType;
  values: ArrayLike<number> | string;
}

export interface IfdBytes {
  bytes: Uint8Array;
  /** Position (relative to the IFD start) of the next-IFD pointer, to chain directories. */
  nextPointerAt: number;
}

/** Lays out one IFD to be written at absolute file offset `at` (its out-of-line values follow it). */
export function encodeIfd(tags: TiffTag[], at: number, bigTiff: boolean): IfdBytes {
  const sorted = [...tags].sort((a, b) => a.tag - b.tag);
  const entrySize = bigTiff ? 20 : 12;
  const inlineMax = bigTiff ? 8 : 4;
  const countSize = bigTiff ? 8 : 2;
  const pointerSize = bigTiff ? 8 : 4;
  const headSize = countSize + sorted.length * entrySize + pointerSize;

  const payloads = sorted.map((t) => valueBytes(t));
  let extra = 0;
  for (const p of payloads) if (p.length > inlineMax) extra += p.length + (p.length & 1);
  const bytes = new Uint8Array(headSize + extra);
  const view = new DataView(bytes.buffer);
  let pos = 0;
  if (bigTiff) view.setBigUint64(pos, BigInt(sorted.length), true);
  else view.setUint16(pos, sorted.length, true);
  pos += countSize;
  let extraPos = headSize;
  sorted.forEach((t, i) => {
    const payload = payloads[i];
    const count = typeof t.values === 'string' ? payload.length : t.values.length;
    view.setUint16(pos, t.tag, true);
    view.setUint16(pos + 2, t.type, true);
    if (bigTiff) view.setBigUint64(pos + 4, BigInt(count), true);
    else view.setUint32(pos + 4, count, true);
    const valueAt = pos + (bigTiff ? 12 : 8);
    if (payload.length <= inlineMax) {
      bytes.set(payload, valueAt);
    } else {
      if (bigTiff) view.setBigUint64(valueAt, BigInt(at + extraPos), true);
      else view.setUint32(valueAt, at + extraPos, true);
      bytes.set(payload, extraPos);
      extraPos += payload.length + (payload.length & 1);
    }
    pos += entrySize;
  });
  return { bytes, nextPointerAt: pos };
}

function valueBytes(t: TiffTag): Uint8Array {
  if (typeof t.values === 'string') {
    const text = new TextEncoder().encode(t.values);
    const out = new Uint8Array(text.length + 1);
    out.set(text);
    return out;
  }
  const size = TYPE_SIZE[t.type];
  const out = new Uint8Array(size * t.values.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.values.length; i++) {
    const v = t.values[i];
    switch (t.type) {
      case TiffType.SHORT:
        view.setUint16(i * 2, v, true);
        break;
      case TiffType.LONG:
        view.setUint32(i * 4, v, true);
        break;
      case TiffType.DOUBLE:
        view.setFloat64(i * 8, v, true);
        break;
      case TiffType.LONG8:
        view.setBigUint64(i * 8, BigInt(v), true);
        break;
      default:
        out[i] = v;
    }
  }
  return out;
}

/** The 8-byte (classic) or 16-byte (BigTIFF) little-endian header pointing at the first IFD. */
export function encodeHeader(firstIfdOffset: number, bigTiff: boolean): Uint8Array {
  const out = new Uint8Array(bigTiff ? 16 : 8);
  const view = new DataView(out.buffer);
  out[0] = 0x49;
  out[1] = 0x49;
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true);
    view.setBigUint64(8, BigInt(firstIfdOffset), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, firstIfdOffset, true);
  }
  return out;
}
