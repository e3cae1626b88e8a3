// Atomic file writes: the bytes go to a temporary file in the target's own folder (so the final rename never
// crosses a file system), are flushed to disk with fsync, and only then take the target's name. A reader, a
// crash or a full disk therefore sees either the old file or the complete new one, never half of one; on any
// failure the temporary file is removed. An existing target is replaced only when the caller says so.
//
// The file-system steps are injectable (FileOps) so tests can make a write fail as a full disk would.

import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { explainWriteError, fileError, fileFailureOf, notAFileError, specialFileKind } from './fileErrors';

export interface FileOps {
  open(file: string, flags: string): Promise<FileHandle>;
  write(handle: FileHandle, bytes: Uint8Array): Promise<void>;
  fsync(handle: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
}

export const nodeFileOps: FileOps = {
  open: (file, flags) => fs.open(file, flags),
  async write(handle, bytes) {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  },
  fsync: (handle) => handle.sync(),
  rename: (from, to) => fs.rename(from, to),
  link: (existing, newPath) => fs.link(existing, newPath),
};

export interface AtomicWriteOptions {
  /** Replace an existing file at the target. Default false: an existing file is an error (`<prefix>_EXISTS`). */
  overwrite?: boolean;
  /** Prefix of error codes, e.g. "EXPORT" gives EXPORT_DISK_FULL. Default "FILE". */
  codePrefix?: string;
  /** Replaces single file-system steps (tests inject failures here). */
  ops?: Partial<FileOps>;
}

/**
 * Files some writers put beside the file they write (SQLite's rollback journal and WAL); removed with the
 * temporary file when a write fails.
 */
const SIDECAR_SUFFIXES = ['-journal', '-wal', '-shm'];

function temporaryPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file, fsConstants.F_OK).then(
    () => true,
    () => false,
  );
}

async function checkFolder(target: string, prefix: string): Promise<void> {
  const folder = path.dirname(target);
  const stat = await fs.stat(folder).catch((error: unknown) => {
    throw explainWriteError(prefix, target, error);
  });
  if (!stat.isDirectory()) throw fileError(prefix, 'FOLDER_MISSING', target);
}

/** Makes the rename itself durable: on POSIX a rename lives in the folder's entry, which needs its own fsync. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, 'r').catch(() => null); // folders cannot be opened on Windows
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

async function moveIntoPlace(
  tmp: string,
  target: string,
  overwrite: boolean,
  ops: FileOps,
  prefix: string,
): Promise<void> {
  if (overwrite) {
    await ops.rename(tmp, target);
    return;
  }
  // A hard link fails with EEXIST if the target appeared meanwhile: no window in which another file is replaced.
  try {
    await ops.link(tmp, target);
  } catch (error) {
    const failure = fileFailureOf(error);
    if (failure === 'EXISTS') throw fileError(prefix, 'EXISTS', target, error);
    if (failure !== 'NO_PERMISSION' && (error as { code?: string }).code !== 'ENOTSUP') throw error;
    // File systems without hard links (FAT, exFAT, some network shares) say EPERM or ENOTSUP: check, then rename.
    if (await exists(target)) throw fileError(prefix, 'EXISTS', target);
    await ops.rename(tmp, target);
    return;
  }
  await removeQuietly(tmp); // the target is complete already; a leftover name is not worth failing for
}

/**
 * Runs produce with the path of a fresh temporary file beside target, then flushes that file and renames it to
 * target. produce may write the file any way it likes (open it, hand it to SQLite, a GeoTIFF writer, ...).
 * On any failure nothing is left behind and target is untouched; file-system failures come back as
 * ChangeMapErrors with codes `<prefix>_EXISTS | _NO_PERMISSION | _DISK_FULL | _FOLDER_MISSING | _IN_USE`.
 */
export async function withAtomicFile<T>(
  target: string,
  produce: (temporaryPath: string) => Promise<T> | T,
  options: AtomicWriteOptions = {},
): Promise<T> {
  const prefix = options.codePrefix ?? 'FILE';
  const ops: FileOps = { ...nodeFileOps, ...options.ops };
  const overwrite = options.overwrite ?? false;
  const absolute = path.resolve(target);

  await checkFolder(absolute, prefix);
  // A folder, pipe or device at the target is never "a file that exists" to replace: say what it is.
  const present = await fs.stat(absolute).catch(() => null);
  const kind = present && specialFileKind(present);
  if (kind) throw notAFileError(prefix, absolute, kind);
  // Checked up front so a long export does not run only to be refused; checked again atomically at the end.
  if (!overwrite && (await exists(absolute))) throw fileError(prefix, 'EXISTS', absolute);

  const tmp = temporaryPathFor(absolute);
  let created = false;
  try {
    // 'wx' reserves the name (fails if it exists) and tells early whether the folder is writable at all.
    await (await ops.open(tmp, 'wx')).close();
    created = true;
    const result = await produce(tmp);
    const handle = await ops.open(tmp, 'r+');
    try {
      await ops.fsync(handle);
    } finally {
      await handle.close();
    }
    await moveIntoPlace(tmp, absolute, overwrite, ops, prefix);
    await syncFolder(path.dirname(absolute));
    return result;
  } catch (error) {
    if (created) {
      await removeQuietly(tmp);
      for (const suffix of SIDECAR_SUFFIXES) await removeQuietly(tmp + suffix);
    }
    throw explainWriteError(prefix, absolute, error);
  }
}

/**
 * Writes bytes (or text as UTF-8, or a sequence of byte chunks, e.g. a file read stream) to target atomically;
 * see withAtomicFile.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const ops: FileOps = { ...nodeFileOps, ...options.ops };
  const chunks =
    typeof data === 'string' ? [new TextEncoder().encode(data)] : data instanceof Uint8Array ? [data] : data;
  await withAtomicFile(
    target,
    async (tmp) => {
      const handle = await ops.open(tmp, 'w');
      try {
        for await (const chunk of chunks) await ops.write(handle, chunk);
      } finally {
        await handle.close();
      }
    },
    options,
  );
}
