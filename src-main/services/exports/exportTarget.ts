// Where an export may write. A new file: anywhere the user names. An existing file is replaced only when the request
// carries the user's confirmation for that very path, and only when it is a file of the kind this export writes
// (a GeoJSON FeatureCollection, a zipped Shapefile, a GeoPackage that is not a ChangeMap project, a CSV, a TIFF):
// the API can then never be used to overwrite a document, a key or a program, whatever path it is sent. The
// project itself, its data folder and the imagery it uses are never written, new file or not.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { projectDataDir } from '../project/projectStore';

/** The kinds of file the exports write; each has its extensions and a test of its first bytes. */
export type ExportFileKind = 'geojson' | 'shapefile' | 'gpkg' | 'csv' | 'geotiff' | 'html' | 'pdf';

const KIND_NAMES: Record<ExportFileKind, string> = {
  geojson: 'a GeoJSON file',
  shapefile: 'a zipped Shapefile',
  gpkg: 'a GeoPackage',
  csv: 'a CSV table',
  geotiff: 'a GeoTIFF',
  html: 'an HTML report',
  pdf: 'a PDF report',
};

const EXTENSIONS: Record<ExportFileKind, RegExp> = {
  geojson: /\.(geo)?json$/i,
  shapefile: /\.zip$/i,
  gpkg: /\.gpkg$/i,
  csv: /\.csv$/i,
  geotiff: /\.tiff?$/i,
  html: /\.html?$/i,
  pdf: /\.pdf$/i,
};

/** Files a zipped Shapefile holds (exportRegions writes .shp, .shx, .dbf, .prj, .cpg; GIS tools add the others). */
const SHAPEFILE_PARTS = /\.(shp|shx|dbf|prj|cpg|qix|sbn|sbx|xml|qmd)$/i;

/** How much of a file the tests below read: enough for every header they look at. */
const HEAD_BYTES = 64 * 1024;

function readHead(file: string, bytes = HEAD_BYTES): Buffer {
  const handle = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, fs.readSync(handle, buffer, 0, bytes, 0));
  } finally {
    fs.closeSync(handle);
  }
}

function readTail(file: string, size: number, bytes: number): Buffer {
  const handle = fs.openSync(file, 'r');
  try {
    const length = Math.min(bytes, size);
    const buffer = Buffer.alloc(length);
    fs.readSync(handle, buffer, 0, length, size - length);
    return buffer;
  } finally {
    fs.closeSync(handle);
  }
}

/** The names in a zip's central directory, or null where the file is not a zip (or its directory is not sane). */
function zipEntryNames(file: string, size: number): string[] | null {
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 65535.
  const tail = readTail(file, size, 22 + 65_535);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > tail.length) return null;
  const count = tail.readUInt16LE(eocd + 10);
  const dirSize = tail.readUInt32LE(eocd + 12);
  const dirOffset = tail.readUInt32LE(eocd + 16);
  if (dirSize > 16 << 20 || dirOffset + dirSize > size) return null;
  const dir = Buffer.alloc(dirSize);
  const handle = fs.openSync(file, 'r');
  try {
    fs.readSync(handle, dir, 0, dirSize, dirOffset);
  } finally {
    fs.closeSync(handle);
  }
  const names: string[] = [];
  for (let at = 0, i = 0; i < count; i++) {
    if (at + 46 > dir.length || dir.readUInt32LE(at) !== 0x02014b50) return null;
    const nameLength = dir.readUInt16LE(at + 28);
    const extra = dir.readUInt16LE(at + 30);
    const comment = dir.readUInt16LE(at + 32);
    names.push(dir.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}

/** A GeoPackage with ChangeMap's own tables is a project, whatever its name; 'unknown' where it cannot be read. */
function projectCheck(file: string): 'project' | 'not a project' | 'unknown' {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const found = db.prepare("SELECT 1 FROM sqlite_master WHERE name LIKE 'cm\\_%' ESCAPE '\\'").get();
    return found ? 'project' : 'not a project';
  } catch {
    return 'unknown'; // locked or damaged
  } finally {
    db?.close();
  }
}

/** Whether an existing file holds what an export of this kind writes (read from its bytes, not its name). */
function holdsExportKind(file: string, kind: ExportFileKind, size: number): boolean {
  const head = readHead(file);
  switch (kind) {
    case 'geojson':
      return /^\s*\{\s*"type"\s*:\s*"FeatureCollection"/.test(head.toString('utf8', 0, 512));
    case 'shapefile': {
      const names = size >= 22 ? zipEntryNames(file, size) : null;
      return (
        names !== null && names.length > 0 && names.every((n) => SHAPEFILE_PARTS.test(n) && !n.includes('/'))
      );
    }
    case 'gpkg':
      // SQLite's header, then the GeoPackage application id 'GPKG' at byte 68.
      return (
        head.toString('latin1', 0, 16) === 'SQLite format 3\0' && head.toString('latin1', 68, 72) === 'GPKG'
      );
    case 'csv':
      // Text (no NUL byte) whose first line has columns.
      return !head.includes(0) && /^[^\n]*,/.test(head.toString('utf8'));
    case 'geotiff': {
      const magic = head.toString('latin1', 0, 4);
      return ['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].includes(magic);
    }
    case 'html':
      return /^(\uFEFF)?\s*<(!doctype html|html)[\s>]/i.test(head.toString('utf8', 0, 512));
    case 'pdf':
      return head.toString('latin1', 0, 5) === '%PDF-';
  }
}

/** The files of the open project that no export may write: the project, its journal and lock, its data folder. */
function projectFiles(db: Database.Database): { files: string[]; dataDir: string | null; imagery: string[] } {
  if (!db.name || db.memory) return { files: [], dataDir: null, imagery: [] };
  const project = path.resolve(db.name);
  const imagery = (db.prepare('SELECT uri FROM cm_imagery_files').all() as { uri: string }[])
    .map((r) => r.uri)
    .filter((uri) => !/^https?:\/\//i.test(uri))
    .map((uri) => path.resolve(path.dirname(project), uri));
  return {
    files: ['', '-wal', '-shm', '-journal', '.lock'].map((suffix) => project + suffix),
    dataDir: projectDataDir(project),
    imagery,
  };
}

/** The path as the file system sees it (symlinks followed, as far as the path exists). */
function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    const parent = path.dirname(file);
    return parent === file ? file : path.join(realPath(parent), path.basename(file));
  }
}

const inside = (file: string, folder: string) => file === folder || file.startsWith(folder + path.sep);

export interface ExportTarget {
  /** The absolute path to write. */
  out: string;
  kind: ExportFileKind;
  /** The path the user confirmed replacing (the request's `overwrite`), if any. */
  confirmed: string | undefined;
}

/**
 * Checks where an export may write and returns whether an existing file is to be replaced. Errors:
 * EXPORT_PROTECTED (the project, its data folder, imagery in use), EXPORT_CONFIRMATION_MISMATCH (the confirmation
 * names another file), EXPORT_NOT_REPLACEABLE (the file there is not of the kind this export writes).
 * EXPORT_EXISTS for a file without a confirmation stays the atomic writer's, which also checks at the last moment.
 */
export function checkExportTarget(db: Database.Database, target: ExportTarget): boolean {
  const out = path.resolve(target.out);
  const real = realPath(out);
  const own = projectFiles(db);
  const ownReal = own.files.map(realPath);
  if (ownReal.includes(real) || isProjectFile(real)) {
    throw new ChangeMapError(
      'EXPORT_PROTECTED',
      `${out} is a ChangeMap project (or its journal or lock), which an export never writes; choose another file name.`,
    );
  }
  if (own.dataDir && inside(real, realPath(own.dataDir))) {
    throw new ChangeMapError(
      'EXPORT_PROTECTED',
      `${out} lies in the project's data folder, which ChangeMap manages itself; export beside the project instead.`,
    );
  }
  if (own.imagery.some((file) => realPath(file) === real)) {
    throw new ChangeMapError(
      'EXPORT_PROTECTED',
      `${out} is imagery this project uses, which an export never writes; choose another file name.`,
    );
  }
  if (target.confirmed === undefined) return false;
  // A Shapefile export adds .zip to its name: the confirmation may name the file with or without it.
  const confirmed = path.resolve(target.confirmed);
  if (confirmed !== out && !(target.kind === 'shapefile' && `${confirmed}.zip` === out)) {
    throw new ChangeMapError(
      'EXPORT_CONFIRMATION_MISMATCH',
      `The confirmation to replace ${confirmed} does not name ${out}, the file this export writes; confirm replacing that file itself.`,
    );
  }
  const stat = fs.statSync(out, { throwIfNoEntry: false });
  if (!stat?.isFile()) return true; // nothing to replace (a folder or device is the atomic writer's to explain)
  if (!EXTENSIONS[target.kind].test(out) || !holdsExportKind(real, target.kind, stat.size)) {
    throw new ChangeMapError(
      'EXPORT_NOT_REPLACEABLE',
      `${out} is not ${KIND_NAMES[target.kind]} like the ones ChangeMap exports, so it is not replaced; choose another file name.`,
    );
  }
  // A GeoPackage that cannot be read to tell whether it is a project is not replaced either.
  if (target.kind === 'gpkg' && projectCheck(real) !== 'not a project') {
    throw new ChangeMapError(
      'EXPORT_NOT_REPLACEABLE',
      `${out} cannot be read as a GeoPackage ChangeMap exports, so it is not replaced; choose another file name.`,
    );
  }
  return true;
}

/** Any existing .gpkg holding ChangeMap's tables, open here or not. */
function isProjectFile(file: string): boolean {
  if (!/\.gpkg$/i.test(file) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
  const head = readHead(file, 16);
  return head.toString('latin1') === 'SQLite format 3\0' && projectCheck(file) === 'project';
}

/** GDAL reads a CSV's column types from the file of the same name with the extension .csvt. */
export function csvtPathFor(csvPath: string): string {
  const { dir, name } = path.parse(csvPath);
  return path.join(dir, `${name}.csvt`);
}

/** The .csvt beside a CSV follows it; one that holds anything but a CSVT's one line of types is not replaced. */
export function checkCsvtTarget(file: string): void {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return;
  const text = stat.isFile() && stat.size <= 64 * 1024 ? readHead(file).toString('utf8') : '';
  if (!/^\s*"?[A-Za-z]+(\(\d+(\.\d+)?\))?"?(\s*,\s*"?[A-Za-z]+(\(\d+(\.\d+)?\))?"?)*\s*$/.test(text)) {
    throw new ChangeMapError(
      'EXPORT_NOT_REPLACEABLE',
      `${file} is not a CSVT file of column types like the one ChangeMap writes beside a CSV, so it is not replaced; choose another CSV name.`,
    );
  }
}

/**
 * The same rule for the writers whose requests still carry a yes/no `overwrite` (boundary summaries, accuracy
 * samples, reports): a yes counts for the request's own `out` only, and even then replaces nothing but a file of the
 * kind written, never the project, its data folder or its imagery; a CSV's .csvt follows the CSV's rule.
 */
export function checkWriteTarget(
  db: Database.Database,
  out: string,
  kind: ExportFileKind,
  overwrite: boolean,
): void {
  const target = path.resolve(out);
  checkExportTarget(db, { out: target, kind, confirmed: overwrite ? target : undefined });
  if (kind === 'csv') checkCsvtTarget(csvtPathFor(target));
}
