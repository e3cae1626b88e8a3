// The worker side of the tile protocol: renders jobs, each cancellable (ipc/rpc.ts carries the calls).
import { serveRpc, Transferred, type RpcPort } from '../../ipc/rpc';
import { GeoTiffFiles } from './geotiffLevels';
import { renderTileJob } from './tileJob';
import type { TileRequest } from './tileProtocol';

export function serveTiles(port: RpcPort): void {
  const files = new GeoTiffFiles();
  serveRpc(
    port,
    {
      render: async (request, { signal }) => {
        const png = await renderTileJob((request as unknown as TileRequest).job, files, signal);
        return png ? new Transferred(png, [png.buffer as ArrayBuffer]) : null;
      },
    },
    { failureCode: 'PREVIEW_FAILED' },
  );
}
