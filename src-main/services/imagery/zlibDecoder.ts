// DEFLATE tiles through Node's native zlib instead of geotiff.js's default (pako, pure JavaScript): the same
// bytes out, several times faster, and it leaves the main thread free sooner for the run engine. The TIFF
// predictor is still applied by geotiff.js's BaseDecoder.decode, so only the inflate step changes.
import { inflateSync } from 'node:zlib';
import { addDecoder, BaseDecoder } from 'geotiff';

export class ZlibDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const out = inflateSync(new Uint8Array(buffer));
    // Small results live in Node's shared buffer pool: hand back exactly the bytes, never the whole pool.
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength
      ? out.buffer
      : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

let registered = false;

/** Registers the zlib decoder for TIFF compression 8 and 32946 (Adobe and old-style DEFLATE); idempotent. */
export function useZlibDeflate(): void {
  if (registered) return;
  registered = true;
  // preferWorker=false: a geotiff.js worker pool has its own registry (pako); on this thread zlib is faster.
  addDecoder([8, 32946], async () => ZlibDeflateDecoder, undefined, false);
}
