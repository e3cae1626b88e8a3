// TIFF-flavoured LZW (MSB-first codes, 9..12 bits, "early change"), as libtiff writes it. fflate has no LZW and
// geotiff.js only decodes it (without an output bound), hence this small encoder and a bounded decoder.

const CLEAR = 256;
const EOI = 257;
const FIRST = 258;
const MAX_BITS = 12;
const CODE_MAX = (1 << MAX_BITS) - 1;

export function lzwEncode(input: Uint8Array): Uint8Array {
  let out = new Uint8Array(Math.max(64, (input.length * 3) >> 1));
  let outPos = 0;
  let bitBuf = 0;
  let bitCount = 0;
  let nbits = 9;
  let maxcode = (1 << nbits) - 1;
  let freeEnt = FIRST;
  let dict = new Map<number, number>();

  const put = (code: number): void => {
    bitBuf = (bitBuf << nbits) | code;
    bitCount += nbits;
    while (bitCount >= 8) {
      if (outPos >= out.length) {
        const bigger = new Uint8Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      bitCount -= 8;
      out[outPos++] = (bitBuf >>> bitCount) & 0xff;
    }
    bitBuf &= (1 << bitCount) - 1;
  };
  // The decoder adds a table entry after every code; the encoder mirrors that to switch widths in step.
  const afterEntry = (): void => {
    if (freeEnt === CODE_MAX - 1) {
      dict = new Map();
      put(CLEAR);
      freeEnt = FIRST;
      nbits = 9;
      maxcode = (1 << nbits) - 1;
    } else if (freeEnt > maxcode) {
      nbits++;
      maxcode = (1 << nbits) - 1;
    }
  };

  put(CLEAR);
  if (input.length === 0) {
    put(EOI);
  } else {
    let ent = input[0];
    for (let i = 1; i < input.length; i++) {
      const c = input[i];
      const key = (ent << 8) | c;
      const found = dict.get(key);
      if (found !== undefined) {
        ent = found;
        continue;
      }
      put(ent);
      ent = c;
      dict.set(key, freeEnt++);
      afterEntry();
    }
    put(ent);
    freeEnt++;
    afterEntry();
    put(EOI);
  }
  if (bitCount > 0) {
    if (outPos >= out.length) {
      const bigger = new Uint8Array(out.length + 1);
      bigger.set(out);
      out = bigger;
    }
    out[outPos++] = (bitBuf << (8 - bitCount)) & 0xff;
  }
  return out.subarray(0, outPos);
}

/**
 * TIFF LZW decoder that stops at `limit` bytes: geotiff.js's own collects its output in a JavaScript array with no
 * bound, so a small hostile strip (up to ~3600:1) could take gigabytes. Mirrors geotiff.js's decoding step for step.
 * Returns null when the data holds more than `limit` bytes; throws on a corrupt code stream.
 */
export function lzwDecode(input: Uint8Array, limit: number): Uint8Array | null {
  const prefix = new Uint16Array(CODE_MAX + 1);
  const suffix = new Uint8Array(CODE_MAX + 1);
  const length = new Uint16Array(CODE_MAX + 1);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    length[i] = 1;
  }
  const out = new Uint8Array(limit);
  let pos = 0;
  let size = FIRST;
  let nbits = 9;
  let bitPos = 0;
  const totalBits = input.length * 8;
  const next = (): number => {
    if (bitPos + nbits > totalBits) return EOI;
    const at = bitPos >> 3;
    // Reads past the end are undefined, which | turns into 0.
    const chunk = (input[at] << 16) | (input[at + 1] << 8) | input[at + 2];
    const code = (chunk >> (24 - (bitPos & 7) - nbits)) & ((1 << nbits) - 1);
    bitPos += nbits;
    return code;
  };
  /** Writes a table entry's string; false when it does not fit under the limit. */
  const emit = (code: number): boolean => {
    const len = length[code];
    if (pos + len > limit) return false;
    for (let c = code, p = pos + len - 1; p >= pos; p--) {
      out[p] = suffix[c];
      c = prefix[c];
    }
    pos += len;
    return true;
  };
  const add = (from: number, byte: number): void => {
    if (size > CODE_MAX) return;
    prefix[size] = from;
    suffix[size] = byte;
    length[size] = length[from] + 1;
    size++;
  };
  let old = -1;
  let code = next();
  while (code !== EOI) {
    if (code === CLEAR) {
      size = FIRST;
      nbits = 9;
      code = next();
      while (code === CLEAR) code = next();
      if (code === EOI) break;
      if (code > CLEAR) throw new Error(`corrupt LZW data: code ${code} after a clear code`);
      if (!emit(code)) return null;
      old = code;
    } else if (code < size) {
      const start = pos;
      if (!emit(code)) return null;
      if (old >= 0) add(old, out[start]);
      old = code;
    } else {
      if (old < 0) throw new Error(`corrupt LZW data: code ${code} with no previous code`);
      const start = pos;
      if (!emit(old) || pos + 1 > limit) return null;
      out[pos++] = out[start];
      add(old, out[start]);
      old = code;
    }
    if (size + 1 >= 1 << nbits) {
      if (nbits === MAX_BITS) old = -1;
      else nbits++;
    }
    code = next();
  }
  return out.subarray(0, pos);
}
