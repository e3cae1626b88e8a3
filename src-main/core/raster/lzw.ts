// TIFF-flavoured LZW encoder (MSB-first codes, 9..12 bits, "early change"), as libtiff writes it. fflate has no
// LZW and geotiff.js only decodes it, hence this small encoder; DEFLATE remains the default.

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
