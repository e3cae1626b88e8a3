import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { getDecoder } from 'geotiff';
import { ZlibDeflateDecoder } from './zlibDecoder';

const params = (predictor: number, bits: number) => ({
  tileWidth: 64,
  tileHeight: 16,
  predictor,
  bitsPerSample: [bits, bits, bits],
  planarConfiguration: 1,
});

describe('ZlibDeflateDecoder', () => {
  it('decodes tiles byte for byte like geotiff.js own DEFLATE decoder, with and without the predictor', async () => {
    for (const [predictor, bits] of [
      [1, 8],
      [2, 8],
      [2, 16],
    ]) {
      const raw = new Uint8Array(64 * 16 * 3 * (bits / 8)).map((_, i) => (i * 37 + (i >> 5)) & 255);
      const packed = deflateSync(raw);
      const buffer = packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength);
      const ours = new Uint8Array(await new ZlibDeflateDecoder(params(predictor, bits)).decode(buffer));
      // Nothing here registers ours, so geotiff.js answers with its own (pako) decoder.
      const theirs = new Uint8Array(await (await getDecoder(8, params(predictor, bits))).decode(buffer));
      expect(ours.length).toBe(raw.length);
      expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
      if (predictor === 1) expect(Buffer.from(ours).equals(Buffer.from(raw))).toBe(true);
    }
  });
  it('refuses damaged data instead of returning garbage', async () => {
    const junk = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
    await expect(new ZlibDeflateDecoder(params(1, 8)).decode(junk)).rejects.toThrow();
  });
});
