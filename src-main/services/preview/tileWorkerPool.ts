// Renders tiles in a few worker threads (least busy first), with a same-thread renderer as the fallback when
// workers cannot start or have crashed, so the map keeps working either way.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ChangeMapError } from '../../core/errors';
import { RpcClient } from '../../ipc/rpc';
import { nodeRpcPort, startWorker, workerEntryUrl } from '../workerEntry';
import { GeoTiffFiles } from './geotiffLevels';
import { renderTileJob, type TileJob } from './tileJob';
import { transferablesOf } from './tileProtocol';

export interface TileRenderer {
  render(job: TileJob, signal?: AbortSignal): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** Renders on the calling thread (tests, and the fallback when workers are unavailable). */
export class SameThreadRenderer implements TileRenderer {
  private readonly files = new GeoTiffFiles();
  render(job: TileJob, signal?: AbortSignal): Promise<Uint8Array | null> {
    return renderTileJob(job, this.files, signal);
  }
  close(): Promise<void> {
    return this.files.close();
  }
}

export const DEFAULT_TILE_WORKER_URL = workerEntryUrl(
  'rasterTiles',
  new URL('../../workers/rasterTiles.worker.ts', import.meta.url),
);

interface Slot {
  worker: Worker;
  client: RpcClient;
}

export class TileWorkerPool implements TileRenderer {
  private readonly slots: Slot[] = [];
  private closed = false;
  private fallback: SameThreadRenderer | null = null;
  /** Why the pool fell back to the calling thread, if it did. */
  failure: string | null = null;

  constructor(size = defaultPoolSize(), url: URL = DEFAULT_TILE_WORKER_URL) {
    for (let i = 0; i < size; i++) {
      try {
        this.slots.push(this.attach(startWorker(url)));
      } catch (error) {
        this.failure = `Tile workers could not start: ${(error as Error).message}`;
      }
    }
  }

  get workerCount(): number {
    return this.slots.length;
  }

  private attach(worker: Worker): Slot {
    const port = nodeRpcPort(worker);
    const client = new RpcClient(port, {
      closedError: (reason) => new ChangeMapError('PREVIEW_WORKER_CRASHED', `A tile worker ${reason}.`),
    });
    const slot: Slot = { worker, client };
    worker.unref(); // idle tile workers never keep the process alive (ref'd while a tile is in flight)
    port.onClose?.((reason) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (!this.closed) this.failure = `A tile worker ${reason}.`;
    });
    return slot;
  }

  render(job: TileJob, signal?: AbortSignal): Promise<Uint8Array | null> {
    if (this.closed)
      return Promise.reject(new ChangeMapError('PREVIEW_CLOSED', 'The map preview has closed.'));
    if (signal?.aborted)
      return Promise.reject(new ChangeMapError('ABORTED', 'The tile was no longer needed.'));
    if (this.slots.length === 0) {
      this.fallback ??= new SameThreadRenderer();
      return this.fallback.render(job, signal);
    }
    const slot = this.slots.reduce((a, b) => (b.client.pendingCount < a.client.pendingCount ? b : a));
    slot.worker.ref();
    return slot.client
      .call<Uint8Array | null>('render', { job }, { signal, transfer: transferablesOf(job) })
      .then((png) => (png ? new Uint8Array(png.buffer, png.byteOffset, png.byteLength) : null))
      .finally(() => {
        if (slot.client.pendingCount === 0) slot.worker.unref();
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    await this.fallback?.close();
  }
}

/** Half the cores, 1 to 4: tiles share the machine with a run's inference. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2)));
}
