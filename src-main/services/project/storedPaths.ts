// Paths a project stores for its own files (a run's probability raster) are relative to its data folder, and are
// read only from there (issue 12): a stored path that climbs out (`../..`, an absolute path) would make an export
// copy, or a region search read, any file on the disk that someone planted in the project.
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';

/** Resolves `stored` inside `dataDir`; PROJECT_CORRUPT where it points anywhere else. */
export function resolveStoredPath(dataDir: string, stored: string, what: string): string {
  const folder = path.resolve(dataDir);
  const resolved = path.resolve(folder, stored);
  const relative = path.relative(folder, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
    throw new ChangeMapError(
      'PROJECT_CORRUPT',
      `The project names ${what} outside its data folder ("${stored}"), so it was damaged or edited by hand and ChangeMap reads nothing from there; run it again, or restore the project from a backup.`,
    );
  return resolved;
}
