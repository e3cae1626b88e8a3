// The open project's own basemaps (XYZ, WMTS, WMS by URL): kept in the project's settings (cm_settings "basemaps",
// so no schema change), and their tiles fetched here on the renderer's behalf, so the renderer's CSP keeps
// allowing no remote origin. A tile must be an image of at most 4 MiB and arrive within 10 s.
import { randomUUID } from 'node:crypto';
import { ChangeMapError } from '../../core/errors';
import {
  basemapTileUrl,
  checkBasemap,
  type Basemap,
  type BasemapInput,
} from '../../core/basemaps/basemapUrl';
import type { ProjectStore } from '../project/projectStore';

const SETTING = 'basemaps';
const MAX_TILE_BYTES = 4 * 2 ** 20;
const TILE_TIMEOUT_MS = 10_000;
const MAX_BASEMAPS = 20;

export interface BasemapTile {
  /** base64 bytes */
  data: string;
  mime: string;
}

export class ProjectBasemaps {
  constructor(
    private readonly project: ProjectStore,
    private readonly fetchTile: typeof fetch = fetch,
  ) {}

  list(): Basemap[] {
    return this.project.getSetting<Basemap[]>(SETTING) ?? [];
  }

  add(input: BasemapInput): Basemap[] {
    const checked = checkBasemap(input);
    const current = this.list();
    if (current.length >= MAX_BASEMAPS)
      throw new ChangeMapError(
        'BASEMAP_LIMIT',
        `A project keeps at most ${MAX_BASEMAPS} basemaps; remove one before adding another.`,
      );
    const next = [...current, { ...checked, id: randomUUID() }];
    this.project.setSetting(SETTING, next);
    return next;
  }

  remove(id: string): Basemap[] {
    const next = this.list().filter((b) => b.id !== id);
    this.project.setSetting(SETTING, next);
    return next;
  }

  /** One web-mercator tile of a basemap; null where the server has none (404, 204). */
  async tile(id: string, z: number, x: number, y: number): Promise<BasemapTile | null> {
    const basemap = this.list().find((b) => b.id === id);
    if (!basemap)
      throw new ChangeMapError(
        'BASEMAP_NOT_FOUND',
        'That basemap is no longer in the project; pick another one.',
      );
    const url = basemapTileUrl(basemap, z, x, y);
    let response: Response;
    try {
      response = await this.fetchTile(url, {
        signal: AbortSignal.timeout(TILE_TIMEOUT_MS),
        redirect: 'follow',
      });
    } catch (error) {
      throw new ChangeMapError(
        'BASEMAP_UNREACHABLE',
        `The basemap "${basemap.name}" did not answer (${(error as Error).message}); check its address and the network.`,
      );
    }
    // A redirect may not leave http(s) (fetch follows none other), but say so if a server tries.
    if (!/^https?:/.test(response.url || url))
      throw new ChangeMapError(
        'BASEMAP_URL_INVALID',
        `The basemap "${basemap.name}" redirected away from http(s).`,
      );
    if (response.status === 404 || response.status === 204) return null;
    if (!response.ok)
      throw new ChangeMapError(
        'BASEMAP_TILE_FAILED',
        `The basemap "${basemap.name}" answered ${response.status} for tile ${z}/${x}/${y}; check its address.`,
      );
    const mime = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!/^image\/(png|jpeg|webp|gif)$/.test(mime))
      throw new ChangeMapError(
        'BASEMAP_NOT_IMAGE',
        `The basemap "${basemap.name}" sent ${mime || 'no content type'} instead of an image; check that the address is a tile service.`,
      );
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_TILE_BYTES) throw tooLarge(basemap.name);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > MAX_TILE_BYTES) throw tooLarge(basemap.name);
    return { data: Buffer.from(bytes).toString('base64'), mime };
  }
}

function tooLarge(name: string): ChangeMapError {
  return new ChangeMapError(
    'BASEMAP_TILE_TOO_LARGE',
    `A tile of the basemap "${name}" is over 4 MiB; use a tile service.`,
  );
}
