// Walks a TIFF's chain of image directories before geotiff.js parses them, checking what geotiff.js trusts: that
// every directory and every entry's values lie inside the file, and that the chain ends. geotiff.js allocates and
// fills an array of each entry's declared count on this thread; a 20-byte change to one count (2^31 values of a
// SHORT) blocked the process for minutes and allocated 4 GB (found by the open-path fuzzer).

/** Bytes per value of each TIFF field type (TIFF 6.0 and BigTIFF); other types are not TIFF. */
const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

export type DirectoryProblem =
  | { kind: 'cycle' }
  | { kind: 'too-many'; max: number }
  | { kind: 'directory-outside'; at: number }
  | { kind: 'bad-type'; tag: number; type: number }
  | { kind: 'values-outside'; tag: number; count: number; end: number };

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * The first problem in the directory chain of a TIFF of `fileSize` bytes, or null. A next-directory pointer past the
 * end of the file ends the chain (the images before it are all there is), as the reader treats it.
 */
export async function checkTiffDirectories(
  read: ByteReader,
  fileSize: number,
  maxImages: number,
): Promise<DirectoryProblem | null> {
  const head = await read(0, 16);
  if (head.length < 8) return { kind: 'directory-outside', at: 0 };
  const little = head[0] === 0x49;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const big = view.getUint16(2, little) === 43;
  if (big && head.length < 16) return { kind: 'directory-outside', at: 8 };
  const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, little));
  const entrySize = big ? 20 : 12;
  const countSize = big ? 8 : 2;
  const pointerSize = big ? 8 : 4;
  let at = big ? u64(view, 8) : view.getUint32(4, little);
  const seen = new Set<number>();
  while (at !== 0) {
    if (seen.has(at)) return { kind: 'cycle' };
    if (seen.size >= maxImages) return { kind: 'too-many', max: maxImages };
    seen.add(at);
    if (at + countSize > fileSize) return { kind: 'directory-outside', at };
    const countBytes = await read(at, countSize);
    const countView = new DataView(countBytes.buffer, countBytes.byteOffset, countBytes.byteLength);
    const entries = big ? u64(countView, 0) : countView.getUint16(0, little);
    const tableSize = entries * entrySize + pointerSize;
    if (at + countSize + tableSize > fileSize) return { kind: 'directory-outside', at };
    const table = await read(at + countSize, tableSize);
    const t = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let i = 0; i < entries; i++) {
      const e = i * entrySize;
      const tag = t.getUint16(e, little);
      const type = t.getUint16(e + 2, little);
      const size = TYPE_SIZE[type];
      if (size === undefined) return { kind: 'bad-type', tag, type };
      const count = big ? u64(t, e + 4) : t.getUint32(e + 4, little);
      const bytes = size * count;
      if (bytes <= pointerSize) continue; // the values sit in the entry itself
      const offset = big ? u64(t, e + 12) : t.getUint32(e + 8, little);
      if (offset + bytes > fileSize) return { kind: 'values-outside', tag, count, end: offset + bytes };
    }
    const next = big ? u64(t, entries * entrySize) : t.getUint32(entries * entrySize, little);
    if (next >= fileSize) break;
    at = next;
  }
  return null;
}
