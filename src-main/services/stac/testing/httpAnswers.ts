// The answers the loopback test servers (the STAC API and Planet's Data API stand-ins) share: JSON, a small PNG,
// a file with HTTP range support, and a request's body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encode } from 'fast-png';

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  type = 'application/json',
): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
}

/** A 16 x 16 thumbnail; `bright` picks the channel drawn brighter, so two servers' thumbnails differ. */
export function sendPng(res: ServerResponse, bright: 0 | 1 | 2, [high, low]: [number, number]): void {
  const data = new Uint8Array(16 * 16 * 3).map((_, i) => (i % 3 === bright ? high : low));
  const bytes = encode({ width: 16, height: 16, data, channels: 3, depth: 8 });
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.length }).end(Buffer.from(bytes));
}

/** The file, or the byte range asked for (206), as COG readers and resumed downloads ask. */
export function serveRange(req: IncomingMessage, res: ServerResponse, file: Buffer): void {
  const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
  if (!m)
    return void res.writeHead(200, { 'content-length': file.length, 'accept-ranges': 'bytes' }).end(file);
  const start = Number(m[1]);
  const end = Math.min(m[2] ? Number(m[2]) : file.length - 1, file.length - 1);
  res
    .writeHead(206, {
      'content-range': `bytes ${start}-${end}/${file.length}`,
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
    })
    .end(file.subarray(start, end + 1));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
  });
}

/** The request's body as JSON; its text where it is not JSON (a test may send anything), null where empty. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  try {
    return raw ? JSON.parse(raw) : null;
  } catch {
    return raw;
  }
}
