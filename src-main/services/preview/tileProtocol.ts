// The tile workers' requests, carried by the project's one request/response protocol (ipc/rpc.ts): `render`
// answers a PNG (or null where the tile holds no data); a cancel tied to the caller's AbortSignal stops it.
import type { TileJob } from './tileJob';

export interface TileRequest {
  type: 'render';
  job: TileJob;
}

/** The buffers of a job that can move to the worker without a copy (whole-buffer typed arrays only). */
export function transferablesOf(job: TileJob): ArrayBuffer[] {
  if (job.source.kind !== 'pixels') return [];
  const out: ArrayBuffer[] = [];
  for (const a of [job.source.data, job.source.valid]) {
    if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer)
      out.push(a.buffer);
  }
  return out[0] === out[1] ? out.slice(0, 1) : out;
}
