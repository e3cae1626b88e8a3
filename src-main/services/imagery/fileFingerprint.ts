// What tells us an input file changed under a run or a preview cache: the one fingerprint every service uses.
import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `<absolute path>:<size>:<mtime ms>` of a local file (`<absolute path>:missing` when it is gone), the URL itself
 * for http(s). The format is kept in run ledgers (cm_runs.params), so a run started earlier still resumes.
 */
export async function fileFingerprint(uri: string): Promise<string> {
  if (/^https?:\/\//i.test(uri)) return uri;
  const file = path.resolve(uri);
  try {
    const s = await stat(file);
    return `${file}:${s.size}:${Math.round(s.mtimeMs)}`;
  } catch {
    return `${file}:missing`;
  }
}
