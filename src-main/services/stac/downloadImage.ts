// Downloads a scene's image into the project's data folder for offline work, resumably: bytes land in `<file>.part`,
// an interrupted download continues from where it stopped (an HTTP range request; from the start where the server
// ignores ranges), and only a complete TIFF is renamed into place. Storage that needs a token is signed per request.
import fs from 'node:fs';
import { ChangeMapError } from '../../core/errors';
import { fetchAsset } from './assetSigning';
import { hostOf } from './stacHttp';

export interface DownloadProgress {
  url: string;
  file: string;
  bytes: number;
  /** Null where the server does not say. */
  totalBytes: number | null;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** A stall: no byte for this long ends the attempt (what arrived is kept for the next one). */
  idleTimeoutMs?: number;
}

const TIFF_MAGICS = ['49492a00', '4d4d002a', '49492b00', '4d4d002b'];

/** Downloads `url` to `file` (kept as it is when already complete). Resolves with the file's size. */
export async function downloadImage(
  url: string,
  file: string,
  options: DownloadOptions = {},
): Promise<number> {
  if (fs.existsSync(file)) return fs.statSync(file).size;
  const part = `${file}.part`;
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let idleTimer = setTimeout(() => idle.abort(), idleMs);
  const touch = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => idle.abort(), idleMs);
  };
  let out: fs.WriteStream | null = null;
  try {
    const response = await fetchAsset(url, { signal, headers: have > 0 ? { range: `bytes=${have}-` } : {} });
    if (!response.ok || !response.body) {
      throw new ChangeMapError(
        'STAC_DOWNLOAD_FAILED',
        `${hostOf(url)} refused the download of ${fileName(url)} (HTTP ${response.status}); try again later.`,
      );
    }
    // 206: the server continues where the part stopped; 200: it sends everything again.
    const resumed = response.status === 206 && have > 0;
    let bytes = resumed ? have : 0;
    const length = Number(response.headers.get('content-length') ?? NaN);
    const totalBytes = Number.isFinite(length) ? length + bytes : null;
    out = fs.createWriteStream(part, { flags: resumed ? 'a' : 'w' });
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      touch();
      if (!out.write(chunk)) await new Promise<void>((resolve) => out!.once('drain', () => resolve()));
      bytes += chunk.byteLength;
      options.onProgress?.({ url, file, bytes, totalBytes });
    }
    await closeStream(out);
    out = null;
    if (totalBytes !== null && bytes !== totalBytes) throw incomplete(url);
    checkTiff(part, url);
    fs.renameSync(part, file);
    return bytes;
  } catch (error) {
    if (out) await closeStream(out).catch(() => undefined);
    throw downloadError(error, url, options.signal, idle.signal, idleMs);
  } finally {
    clearTimeout(idleTimer);
  }
}

function checkTiff(part: string, url: string): void {
  const fd = fs.openSync(part, 'r');
  const head = Buffer.alloc(4);
  fs.readSync(fd, head, 0, 4, 0);
  fs.closeSync(fd);
  if (!TIFF_MAGICS.includes(head.toString('hex'))) {
    fs.rmSync(part, { force: true });
    throw new ChangeMapError(
      'STAC_DOWNLOAD_NOT_TIFF',
      `${fileName(url)} from ${hostOf(url)} is not a GeoTIFF; it was not kept.`,
    );
  }
}

function downloadError(
  error: unknown,
  url: string,
  userSignal: AbortSignal | undefined,
  idle: AbortSignal,
  idleMs: number,
): unknown {
  if (error instanceof ChangeMapError) return error;
  if (userSignal?.aborted) {
    return new ChangeMapError(
      'STAC_CANCELLED',
      `The download of ${fileName(url)} was stopped; what arrived is kept and the next download resumes there.`,
    );
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') {
    return new ChangeMapError(
      'DISK_FULL',
      `The disk is full: ${fileName(url)} could not be downloaded; free some space and download again (it resumes).`,
    );
  }
  if (idle.aborted) {
    return new ChangeMapError(
      'STAC_DOWNLOAD_FAILED',
      `${hostOf(url)} sent nothing for ${Math.round(idleMs / 1000)} s; what arrived of ${fileName(url)} is kept and the next download resumes there.`,
    );
  }
  return new ChangeMapError(
    'STAC_DOWNLOAD_FAILED',
    `The download of ${fileName(url)} from ${hostOf(url)} broke off; what arrived is kept and the next download resumes there.`,
    { cause: error },
  );
}

function incomplete(url: string): ChangeMapError {
  return new ChangeMapError(
    'STAC_DOWNLOAD_FAILED',
    `The download of ${fileName(url)} ended early; what arrived is kept and the next download resumes there.`,
  );
}

function closeStream(stream: fs.WriteStream): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

function fileName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
  } catch {
    return url;
  }
}
