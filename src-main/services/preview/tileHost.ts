// The worker side of the tile protocol: renders jobs, each cancellable by its sequence number.
import { isChangeMapError } from '../../core/errors';
import { GeoTiffFiles } from './geotiffLevels';
import { renderTileJob } from './tileJob';
import type { TileReply, TileRequest } from './tileProtocol';

export interface PortLike {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export function serveTiles(port: PortLike): void {
  const files = new GeoTiffFiles();
  const running = new Map<number, AbortController>();
  const reply = (message: TileReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  port.on('message', (raw) => {
    const request = raw as TileRequest;
    if (request.type === 'cancel') {
      running.get(request.target)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(request.seq, controller);
    renderTileJob(request.job, files, controller.signal)
      .then((png) =>
        reply({ seq: request.seq, ok: true, value: png }, png ? [png.buffer as ArrayBuffer] : []),
      )
      .catch((error: unknown) =>
        reply({
          seq: request.seq,
          ok: false,
          error: controller.signal.aborted
            ? { code: 'ABORTED', message: 'The tile was no longer needed.' }
            : {
                code: isChangeMapError(error) ? error.code : 'PREVIEW_FAILED',
                message: (error as Error)?.message ?? String(error),
              },
        }),
      )
      .finally(() => running.delete(request.seq));
  });
}
