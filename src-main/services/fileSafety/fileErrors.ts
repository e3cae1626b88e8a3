// Turns operating-system and SQLite write failures into errors a planner can act on, with stable codes.
// The code prefix is the caller's ("EXPORT" gives EXPORT_DISK_FULL), so each feature keeps its own vocabulary
// while the wording lives in one place.

import type { Stats } from 'node:fs';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';

export type FileFailure =
  'EXISTS' | 'NO_PERMISSION' | 'DISK_FULL' | 'FOLDER_MISSING' | 'IN_USE' | 'WRITE_FAILED';

const SYSTEM_CODES: Record<string, FileFailure> = {
  EEXIST: 'EXISTS',
  EACCES: 'NO_PERMISSION',
  EPERM: 'NO_PERMISSION',
  EROFS: 'NO_PERMISSION',
  ENOSPC: 'DISK_FULL',
  EDQUOT: 'DISK_FULL',
  EFBIG: 'DISK_FULL',
  ENOENT: 'FOLDER_MISSING',
  ENOTDIR: 'FOLDER_MISSING',
  EBUSY: 'IN_USE',
  // better-sqlite3 reports SQLite's own result codes
  SQLITE_FULL: 'DISK_FULL',
  SQLITE_READONLY: 'NO_PERMISSION',
  SQLITE_PERM: 'NO_PERMISSION',
  SQLITE_CANTOPEN: 'NO_PERMISSION',
  SQLITE_BUSY: 'IN_USE',
  SQLITE_IOERR: 'WRITE_FAILED',
};

/** The kind of failure behind an error from node:fs or better-sqlite3, or null when it is something else. */
export function fileFailureOf(error: unknown): FileFailure | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  // SQLite extended codes (SQLITE_IOERR_WRITE, SQLITE_CANTOPEN_ISDIR, ...) share the primary code's meaning.
  const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
  return SYSTEM_CODES[primary] ?? null;
}

function message(failure: FileFailure, target: string): string {
  const folder = path.dirname(target);
  const name = path.basename(target);
  switch (failure) {
    case 'EXISTS':
      return `${name} already exists in ${folder}. Choose another name, or allow replacing it.`;
    case 'NO_PERMISSION':
      return `You do not have permission to write ${name} in ${folder}. Choose a folder you can write to.`;
    case 'DISK_FULL':
      return `The disk holding ${folder} is full, so ${name} could not be written. Free some space or choose another disk.`;
    case 'FOLDER_MISSING':
      return `The folder ${folder} does not exist (any more). Choose another folder.`;
    case 'IN_USE':
      return `${name} is open in another program, so it cannot be replaced. Close it there and try again.`;
    case 'WRITE_FAILED':
      return `${name} could not be written to ${folder}.`;
  }
}

/**
 * What a path that is not a regular file really is, in words ("a folder", "a named pipe (FIFO)", "a device"), so a
 * message names it rather than calling it empty or a folder; null for a regular file.
 */
export function specialFileKind(stat: Stats): string | null {
  if (stat.isFile()) return null;
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `${prefix}_NOT_A_FILE`: target exists but is a folder, pipe or device, which no write may replace. */
export function notAFileError(prefix: string, target: string, kind: string): ChangeMapError {
  return new ChangeMapError(
    `${prefix}_NOT_A_FILE`,
    `${target} is ${kind}, not a file, so nothing was written there. Give the path of a file to write${kind === 'a folder' ? ' (a name inside that folder)' : ''}.`,
  );
}

/** A ChangeMapError with code `${prefix}_${failure}` and a sentence naming the file and folder. */
export function fileError(
  prefix: string,
  failure: FileFailure,
  target: string,
  cause?: unknown,
): ChangeMapError {
  return new ChangeMapError(
    `${prefix}_${failure}`,
    message(failure, target),
    cause === undefined ? undefined : { cause },
  );
}

/** The error to throw for a failure while writing target: known write failures get a code, others pass through. */
export function explainWriteError(prefix: string, target: string, error: unknown): unknown {
  if (error instanceof ChangeMapError) return error;
  const failure = fileFailureOf(error);
  return failure === null ? error : fileError(prefix, failure, target, error);
}
