// DEFLATE tiles through Node's native zlib instead of geotiff.js's default (pako, pure JavaScript): the same
// bytes out, several times faster, and it leaves the main thread free sooner for the run engine. The TIFF
// predictor is still applied by geotiff.js's BaseDecoder.decode, so only the inflate step changes.
// Inflating is capped at the bytes the block's declared size needs: one hostile strip inflated to 2.7 GB.
import { inflateSync } from 'node:zlib';
import { addDecoder, BaseDecoder } from 'geotiff';
import { ChangeMapError } from '../../core/errors';
import { lzwDecode } from '../../core/raster/lzw';

/** Bytes one tile or strip holds uncompressed, from geotiff.js's decoder parameters; Infinity when unknown. */
export function declaredBlockBytes(parameters: BaseDecoder['parameters']): number {
  const { tileWidth, tileHeight, bitsPerSample, planarConfiguration } = parameters;
  const bits = typeof bitsPerSample === 'number' ? [bitsPerSample] : Array.from(bitsPerSample ?? []);
  if (!(tileWidth > 0 && tileHeight > 0 && bits.length > 0)) return Infinity;
  // Separate planes: one block holds one sample, the widest bounds them all.
  const pixelBits = planarConfiguration === 2 ? Math.max(...bits) : bits.reduce((a, b) => a + b, 0);
  return Math.ceil((tileWidth * pixelBits) / 8) * tileHeight;
}

export function blockTooLarge(codec: string, limit: number, cause?: unknown): ChangeMapError {
  return new ChangeMapError(
    'TIFF_BLOCK_TOO_LARGE',
    `A ${codec} tile or strip decodes to more than the ${limit} bytes its size declares, so the file is damaged or hostile; re-export it (for example with gdal_translate).`,
    { cause },
  );
}

export class ZlibDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const limit = declaredBlockBytes(this.parameters);
    let out: Buffer;
    try {
      // One output buffer of the block's size: by default zlib inflates into 16-KiB pieces and concatenates them,
      // a second copy of every tile and a dozen arrays for the collector.
      out = inflateSync(
        new Uint8Array(buffer),
        Number.isFinite(limit) ? { maxOutputLength: limit, chunkSize: Math.max(64, limit) } : {},
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw blockTooLarge('DEFLATE', limit, error);
      }
      throw error;
    }
    // Small results live in Node's shared buffer pool: hand back exactly the bytes, never the whole pool.
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength
      ? out.buffer
      : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

/** LZW through lzwDecode, stopped at the block's declared size (geotiff.js's own decoder has no bound). */
export class BoundedLzwDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const declared = declaredBlockBytes(this.parameters);
    // Without sizes, LZW's own bound: at most 4096 bytes per 9-bit code.
    const limit = Number.isFinite(declared) ? declared : Math.ceil((buffer.byteLength * 8) / 9) * 4096;
    const out = lzwDecode(new Uint8Array(buffer), limit);
    if (!out) throw blockTooLarge('LZW', limit);
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

let registered = false;

/** Registers the zlib decoder for TIFF compression 8 and 32946 (Adobe and old-style DEFLATE) and the bounded LZW one (5); idempotent. */
export function useZlibDeflate(): void {
  if (registered) return;
  registered = true;
  // preferWorker=false: a geotiff.js worker pool has its own registry (pako); on this thread zlib is faster.
  addDecoder([8, 32946], async () => ZlibDeflateDecoder, undefined, false);
  addDecoder(5, async () => BoundedLzwDecoder, undefined, false);
}
