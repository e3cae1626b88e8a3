// API handlers for Planet: the key channels, and the Planet side of the catalogue channels (search, thumbnails,
// using scenes), which stacHandlers hands over when the catalogue is Planet's Data API, so the "Find imagery" panel
// keeps one code path. The key stays in the services: no answer carries it.
import { ChangeMapError } from '../../core/errors';
import type { StacCatalogue, StacSearchQuery, StacSearchResult } from '../../ipc/stacSchemas';
import { keyMayGoTo, planetApiUrl, planetAuthHeaders, PLANET_ITEM_TYPES } from '../planet/planetApi';
import { downloadPlanetScene, planetSceneFile, type PlanetSceneToDownload } from '../planet/planetDownload';
import type { PlanetKeyStore } from '../planet/planetKeyStore';
import { searchPlanet } from '../planet/planetSearch';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

export type PlanetContext = HandlerContext & { readonly planetKeys: PlanetKeyStore };

export function planetHandlers(ctx: PlanetContext): DomainHandlers<'planet:'> {
  return {
    'planet:status': () => ctx.planetKeys.status(),
    'planet:setKey': ({ key }) => ctx.planetKeys.set(key),
    'planet:clearKey': () => ctx.planetKeys.clear(),
  };
}

/** Planet as the panel's catalogue list shows it. */
export function planetCatalogue(): StacCatalogue {
  return {
    url: planetApiUrl(),
    title: 'Planet (Data API, your API key)',
    kind: 'planet',
    collections: [...PLANET_ITEM_TYPES],
    note: 'PlanetScope at 3 m daily and SkySat at 0.5 m, with your Planet account; images are prepared by Planet, then downloaded into the project.',
  };
}

export function requirePlanetKey(keys: PlanetKeyStore): string {
  const key = keys.key();
  if (!key) {
    throw new ChangeMapError(
      'PLANET_NO_KEY',
      'Planet needs your API key: enter it in Find imagery (or set PL_API_KEY), as shown in your Planet account settings.',
    );
  }
  return key;
}

export function searchPlanetCatalogue(
  keys: PlanetKeyStore,
  query: StacSearchQuery,
  signal: AbortSignal,
): Promise<StacSearchResult> {
  return searchPlanet(query, requirePlanetKey(keys), { signal });
}

/** The key for a thumbnail address of Planet's; nothing for any other address. */
export function planetThumbnailHeaders(
  keys: PlanetKeyStore,
  url: string,
): Record<string, string> | undefined {
  const key = keys.key();
  return key && keyMayGoTo(url) ? planetAuthHeaders(key) : undefined;
}

/** Activates and downloads each picked Planet scene into the data folder, announcing where each stands. */
export async function downloadPlanetScenes(
  ctx: PlanetContext,
  dataDir: string,
  scenes: PlanetSceneToDownload[],
  signal: AbortSignal,
): Promise<string[]> {
  const key = requirePlanetKey(ctx.planetKeys);
  const files: string[] = [];
  for (const [index, scene] of scenes.entries()) {
    const announce = (p: {
      file: string;
      bytes: number;
      totalBytes: number | null;
      activation: 'inactive' | 'activating' | 'active';
    }) => ctx.events.emit('stac:downloadProgress', { ...p, index, count: scenes.length });
    const file = planetSceneFile(dataDir, scene);
    await downloadPlanetScene(dataDir, scene, key, {
      signal,
      onActivation: (activation) => announce({ file, bytes: 0, totalBytes: null, activation }),
      onProgress: (p) =>
        announce({ file: p.file, bytes: p.bytes, totalBytes: p.totalBytes, activation: 'active' }),
    });
    files.push(file);
  }
  return files;
}
