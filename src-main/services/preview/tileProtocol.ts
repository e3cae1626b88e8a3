// The tile workers' protocol, the project's one worker protocol: `{ seq, type, ... }` requests, `{ seq, ok,
// value | error }` replies, typed arrays moved with transfer lists, and a cancel message tied to an AbortSignal.
import type { TileJob } from './tileJob';

export type TileRequest =
  | { seq: number; type: 'render'; job: TileJob }
  /** Abandons the render request `target` (its reply then carries the ABORTED error). */
  | { seq: number; type: 'cancel'; target: number };

export type TileReply =
  | { seq: number; ok: true; value: Uint8Array | null }
  | { seq: number; ok: false; error: { code: string; message: string } };

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
