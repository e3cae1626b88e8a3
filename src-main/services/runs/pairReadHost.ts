// The reading side of a run's read thread: opens the pair the run names (openRunInputs) and fills the shared
// planes each request offers, one read at a time.
import { serveRpc, Transferred, type RpcPort } from '../../ipc/rpc';
import type { AlignedPairSource, SampleArray } from '../../core/raster/types';
import { openRunInputs } from './openRunInputs';
import type {
  OpenedPair,
  OpenPairRequest,
  PairReadReply,
  PairReadRequest,
  ReadPlane,
  SampleKind,
} from './pairReadProtocol';

const kindOf = (a: SampleArray): SampleKind => (a instanceof Uint16Array ? 'uint16' : 'uint8');

/** An array that can be moved to the other thread: one that is its whole buffer (else a copy of it). */
function movable<T extends Uint8Array | Uint16Array | Float32Array>(array: T): T {
  return array.byteOffset === 0 && array.byteLength === array.buffer.byteLength
    ? array
    : (array.slice() as T);
}

/** The length of the view of `offered` that `read` is, or `read` itself where it is an array of its own. */
function planeOf(read: SampleArray | Float32Array, offered: SampleArray | Float32Array): ReadPlane {
  if (read.buffer === offered.buffer && read.byteOffset === offered.byteOffset) return read.length;
  return read.buffer instanceof SharedArrayBuffer ? read : movable(read);
}

export function servePairReads(port: RpcPort): void {
  let source: AlignedPairSource | null = null;
  const opened = () => {
    if (!source) throw new Error('No pair is open.');
    return source;
  };
  serveRpc(
    port,
    {
      open: async (raw): Promise<OpenedPair> => {
        const request = raw as unknown as OpenPairRequest;
        await source?.close();
        source = null;
        source = await openRunInputs(request.inputs, { bands: request.bands });
        const planes = source.samples?.planes(0);
        return {
          grid: source.grid,
          bands: source.bands,
          samples: planes ? { before: kindOf(planes.before), after: kindOf(planes.after) } : null,
        };
      },
      read: async (raw, { signal }): Promise<Transferred<PairReadReply>> => {
        const { as, window, normalise, before, after } = raw as unknown as PairReadRequest;
        const pair = opened();
        const chunk =
          as === 'samples' && pair.samples
            ? await pair.samples.read(window, {
                signal,
                reuse: { before: before as SampleArray, after: after as SampleArray },
                normalise: normalise!,
              })
            : await pair.read(window, {
                signal,
                reuse: { before: before as Float32Array, after: after as Float32Array },
                normalise,
              });
        const valid = movable(chunk.valid);
        const reply: PairReadReply = {
          before: planeOf(chunk.before, before),
          after: planeOf(chunk.after, after),
          valid,
          normalised: 'maps' in chunk || chunk.normalisedBy !== undefined,
          ...('maps' in chunk && { maps: chunk.maps }),
        };
        const own = [reply.before, reply.after].flatMap((p) =>
          typeof p === 'number' || p.buffer instanceof SharedArrayBuffer ? [] : [p.buffer as ArrayBuffer],
        );
        return new Transferred(reply, [valid.buffer as ArrayBuffer, ...own]);
      },
      close: async () => {
        await source?.close();
        source = null;
        return null;
      },
    },
    // One read at a time, in order: a run reads one chunk ahead, and the pair's spare arrays assume it.
    { sequential: true, failureCode: 'RUN_READ_FAILED' },
  );
}
