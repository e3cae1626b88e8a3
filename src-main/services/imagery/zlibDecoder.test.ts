import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { getDecoder } from 'geotiff';
import { lzwEncode } from '../../core/raster/lzw';
import { BoundedLzwDecoder, ZlibDeflateDecoder } from './zlibDecoder';

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

describe('BoundedLzwDecoder', () => {
  it('decodes byte for byte like geotiff.js own LZW decoder (table resets included)', async () => {
    for (const [predictor, bits] of [
      [1, 8],
      [2, 8],
      [2, 16],
    ]) {
      // Noisy enough to fill the 4096-entry table several times, so clear codes and 12-bit codes are exercised.
      const raw = new Uint8Array(64 * 16 * 3 * (bits / 8)).map(
        (_, i) => (i * 37 + (i >> 5) + ((i * i) >> 7)) & 255,
      );
      const packed = lzwEncode(raw);
      const buffer = packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength);
      const ours = new Uint8Array(await new BoundedLzwDecoder(params(predictor, bits)).decode(buffer));
      const theirs = new Uint8Array(await (await getDecoder(5, params(predictor, bits))).decode(buffer));
      expect(ours.length).toBe(raw.length);
      expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
      if (predictor === 1) expect(Buffer.from(ours).equals(Buffer.from(raw))).toBe(true);
    }
  });
  it('stops at the block size the parameters declare with TIFF_BLOCK_TOO_LARGE', async () => {
    // 8 MiB of one value packs into a few KiB; the block declares 64 x 16 x 3 bytes.
    const packed = lzwEncode(new Uint8Array(8 * 1024 * 1024).fill(9));
    const buffer = packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength);
    const error = await new BoundedLzwDecoder(params(1, 8)).decode(buffer).then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(error?.code).toBe('TIFF_BLOCK_TOO_LARGE');
    expect(error?.message).toMatch(/LZW tile or strip decodes to more than the 3072 bytes/);
  });
});
