// Values a project stores that the app reads back (JSON columns, outline blobs): each either what it should be or
// PROJECT_CORRUPT naming it, one sentence, never a bare SyntaxError or RangeError from a damaged file.
import { ChangeMapError } from '../../core/errors';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';

/**
 * A JSON value stored in a project column, or PROJECT_CORRUPT naming it: a damaged value is a damaged project, told
 * in one sentence, never a bare SyntaxError.
 */
export function parseStoredJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ChangeMapError(
      'PROJECT_CORRUPT',
      `The project's ${what} is damaged (not valid JSON), so it cannot be read; the file was left as it is. Open a backup of the project, or make a new one.`,
      { cause: error },
    );
  }
}

/**
 * A region outline stored in a project (GeoPackage geometry blob), or PROJECT_CORRUPT: text, a number or damaged bytes
 * where an outline belongs is a damaged project, told in one sentence (found by the open-path fuzzer).
 */
export function decodeStoredOutline(blob: unknown): ReturnType<typeof decodeGpkgMultiPolygon> {
  try {
    return decodeGpkgMultiPolygon(blob as Uint8Array);
  } catch (error) {
    throw new ChangeMapError(
      'PROJECT_CORRUPT',
      `The project's region outlines are damaged (${(error as Error).message}), so they cannot be read; the file was left as it is. Open a backup of the project, or find the regions again.`,
      { cause: error },
    );
  }
}
