// Finished chunks on disk, one file each: `<run folder>/chunks/<idx>.chunk`.
//
// Why per-chunk files: a chunk's result becomes durable on its own (temporary file, fsync, rename) before the
// ledger marks it done, so a run killed at any moment loses at most the chunks in flight. The final tiled GeoTIFF
// is fed each chunk as it is stored, and the chunks of earlier sessions of the run from these files. A file that exists and passes its
// checksum is a finished chunk even if the process died before the ledger said so (it is adopted on resume).
//
// Layout: "CMCHUNK1", then uint32 LE idx, x, y, width, height, payload length; the payload (uint8 probability,
// width*height, row-major, DEFLATE-compressed); then the CRC-32 of everything before it.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ChangeMapError } from '../../core/errors';
import type { PixelWindow } from '../../core/raster/types';
import { writeFileAtomic, type FileOps } from '../fileSafety/atomicWrite';

const deflateRaw = promisify(zlib.deflateRaw);
const inflateRaw = promisify(zlib.inflateRaw);
const MAGIC = Buffer.from('CMCHUNK1', 'ascii');
const HEADER = MAGIC.length + 6 * 4;

export interface StoredChunk {
  idx: number;
  window: PixelWindow;
  /** uint8 probability 0..254, 255 = nodata. */
  data: Uint8Array;
}

export class ChunkStore {
  constructor(
    readonly dir: string,
    private readonly ops: Partial<FileOps> = {},
  ) {}

  pathOf(idx: number): string {
    return path.join(this.dir, `${idx}.chunk`);
  }

  async write(chunk: StoredChunk): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    // Compressed on libuv's thread pool, so the main thread goes on cutting chips meanwhile.
    const payload = await deflateRaw(chunk.data, { level: 1 });
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    const { x, y, width, height } = chunk.window;
    [chunk.idx, x, y, width, height, payload.length].forEach((v, i) =>
      header.writeUInt32LE(v, MAGIC.length + i * 4),
    );
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(zlib.crc32(payload, zlib.crc32(header)) >>> 0, 0);
    const target = this.pathOf(chunk.idx);
    await writeFileAtomic(target, [header, payload, crc], {
      overwrite: true,
      codePrefix: 'RUN',
      ops: this.ops,
    });
    return target;
  }

  /** The stored chunk, or null when there is no complete, intact file for it. */
  async read(idx: number, expected?: PixelWindow): Promise<StoredChunk | null> {
    const checked = await this.readChecked(idx, expected);
    if (!checked) return null;
    const { window, payload } = checked;
    const data = new Uint8Array(await inflateRaw(payload));
    if (data.length !== window.width * window.height) {
      throw new ChangeMapError('RUN_CHUNK_CORRUPT', `The stored result of chunk ${idx} is damaged.`);
    }
    return { idx, window, data };
  }

  /**
   * Whether the chunk's file is complete and passes its checksum (for this window), without decompressing it:
   * the ledger's "done" is trusted only when this holds (a damaged or deleted file is computed again on resume).
   */
  async isIntact(idx: number, expected: PixelWindow): Promise<boolean> {
    return (await this.readChecked(idx, expected)) !== null;
  }

  private async readChecked(
    idx: number,
    expected?: PixelWindow,
  ): Promise<{ window: PixelWindow; payload: Buffer } | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(idx));
    } catch {
      return null;
    }
    if (bytes.length < HEADER + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
    const [fileIdx, x, y, width, height, length] = [0, 1, 2, 3, 4, 5].map((i) =>
      bytes.readUInt32LE(MAGIC.length + i * 4),
    );
    if (bytes.length !== HEADER + length + 4 || fileIdx !== idx) return null;
    const crc = zlib.crc32(bytes.subarray(0, HEADER + length)) >>> 0;
    if (crc !== bytes.readUInt32LE(HEADER + length)) return null;
    if (
      expected &&
      (expected.x !== x || expected.y !== y || expected.width !== width || expected.height !== height)
    ) {
      return null;
    }
    return { window: { x, y, width, height }, payload: bytes.subarray(HEADER, HEADER + length) };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
