// A run's imagery read on a thread of its own: the pair is opened there (openRunInputs, pairReadHost.ts) and each read
// fills planes in shared memory, so decoding and aligning the next chunk runs beside the main thread's chip cutting
// and blending instead of taking turns with it. That is what limits a run with a GPU (the main thread was the CPU
// side's only core: 15.6-16.1 scene-Mpx/s at 5000² on the development machine, half of it reading).
import { isDeepStrictEqual } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { ChangeMapError } from '../../core/errors';
import type {
  AlignedChunk,
  AlignedPairSource,
  AlignedSampleChunk,
  Normalisation,
  PixelWindow,
  ReusablePlanes,
  ReusableSamples,
  SampleArray,
} from '../../core/raster/types';
import { RpcClient } from '../../ipc/rpc';
import { nodeRpcPort, startWorker, workerEntryUrl } from '../workerEntry';
import type { OpenedPair, PairReadReply, PairReadRequest, ReadPlane, SampleKind } from './pairReadProtocol';
import { clipToArea } from './areaSource';
import type { AreaOfInterest, RunInputs } from './runTypes';

/** URL of the worker entry. Source checkouts run the .ts through tsx; a bundled app passes its built file. */
export const PAIR_READ_WORKER_URL = workerEntryUrl(
  'pairRead',
  new URL('../../workers/pairRead.worker.ts', import.meta.url),
);

/** Float32 values in new shared memory. */
const sharedFloats = (length: number): Float32Array =>
  new Float32Array(new SharedArrayBuffer(length * 4), 0, length);

/** Samples of a kind in new shared memory. */
const sharedSamples = (kind: SampleKind, length: number): SampleArray =>
  kind === 'uint16'
    ? new Uint16Array(new SharedArrayBuffer(length * 2), 0, length)
    : new Uint8Array(new SharedArrayBuffer(length), 0, length);

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;

/** The offered plane's view the read filled, or the array the read made of its own. */
function planeOf(plane: ReadPlane, offered: SampleArray | Float32Array): SampleArray | Float32Array {
  return typeof plane === 'number' ? offered.subarray(0, plane) : plane;
}

/** openRunInputs, with the pair opened and read on a worker thread. Close it to end the thread. */
export async function openRunInputsInThread(
  inputs: RunInputs,
  options: { bands: readonly string[] },
  url: URL = PAIR_READ_WORKER_URL,
): Promise<AlignedPairSource> {
  const worker: Worker = startWorker(url);
  const client = new RpcClient(nodeRpcPort(worker), {
    closedError: (reason) => new ChangeMapError('RUN_READ_FAILED', `The imagery reading thread ${reason}.`),
  });
  let opened: OpenedPair;
  try {
    opened = await client.call<OpenedPair>('open', { inputs, bands: options.bands });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const { grid, bands } = opened;
  const kinds = opened.samples;
  const floatPlanes = (length: number): ReusablePlanes => ({
    before: sharedFloats(length),
    after: sharedFloats(length),
  });
  const samplePlanes = (length: number): ReusableSamples => ({
    before: sharedSamples(kinds!.before, length),
    after: sharedSamples(kinds!.after, length),
  });
  /** A read over there into the offered planes where they are shared (only those can be filled there), else new ones. */
  const readThere = async <P extends ReusablePlanes | ReusableSamples>(
    as: PairReadRequest['as'],
    window: PixelWindow,
    options: { reuse?: P; signal?: AbortSignal; normalise?: Normalisation },
    make: (length: number) => P,
  ) => {
    const { reuse, signal, normalise } = options;
    const planes =
      reuse && isShared(reuse.before) && isShared(reuse.after)
        ? reuse
        : make(window.width * window.height * bands);
    const request: PairReadRequest = { as, window, normalise, ...planes };
    const reply = await client.call<PairReadReply>('read', request, { signal });
    const before = planeOf(reply.before, planes.before) as P['before'];
    const after = planeOf(reply.after, planes.after) as P['after'];
    return { reply, chunk: { window, bands, before, after, valid: reply.valid } };
  };
  let closing: Promise<void> | null = null;
  return {
    grid,
    bands,
    planes: floatPlanes,
    async read(window, readOptions = {}): Promise<AlignedChunk> {
      const { reply, chunk } = await readThere('floats', window, readOptions, floatPlanes);
      const { normalise } = readOptions;
      // The caller's own object: a run tells a read normalised for it by identity.
      return { ...chunk, ...(reply.normalised && normalise && { normalisedBy: normalise }) };
    },
    ...(kinds && {
      samples: {
        async read(window, readOptions): Promise<AlignedSampleChunk> {
          const { reply, chunk } = await readThere('samples', window, readOptions, samplePlanes);
          return { ...chunk, maps: reply.maps!, normalisedBy: readOptions.normalise };
        },
        planes: samplePlanes,
      },
    }),
    close() {
      closing ??= client
        .call('close')
        .catch(() => undefined)
        .then(() => worker.terminate())
        .then(() => undefined);
      return closing;
    },
  };
}

/** A pair opening on a reading thread beside the one a run opened on its own thread (openReaderBeside). */
export interface PendingReader {
  /**
   * The thread's pair clipped to `aoi`, once open, where it reads what `local` reads (the same grid, bands and kind
   * of read); else null, and the thread is closed: the run then reads on its own thread.
   */
  take(local: AlignedPairSource, aoi: AreaOfInterest | null | undefined): Promise<AlignedPairSource | null>;
  /** Closes the thread's pair (the run did not start, or has ended); safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Starts opening `inputs` on a reading thread while the run opens them here (fast: the run needs the grid at once)
 * and loads its model, so the thread's start (a quarter of a second from the bundle) adds nothing to the run's.
 */
export function openReaderBeside(
  open: typeof openRunInputsInThread,
  inputs: RunInputs,
  bands: readonly string[],
): PendingReader {
  const opening = open(inputs, { bands }).catch(() => null);
  return {
    async take(local, aoi) {
      const thread = await opening;
      if (!thread) return null;
      const clipped = clipToArea(thread, aoi);
      const same =
        isDeepStrictEqual(clipped.grid, local.grid) &&
        clipped.bands === local.bands &&
        !clipped.samples === !local.samples;
      if (same) return clipped;
      await thread.close();
      return null;
    },
    async close() {
      await (await opening)?.close();
    },
  };
}
