// API handlers of the imagery-catalogue channels: search a STAC API (one search at a time per session, cancellable)
// and make the picked scenes a date's imagery by reference.
import { ChangeMapError } from '../../core/errors';
import type { ImagerySource } from '../../ipc/stacSchemas';
import type { ProjectStore } from '../project/projectStore';
import { projectCatalogues, rememberCatalogue } from '../stac/catalogues';
import { recordImagerySources } from '../stac/imagerySources';
import { searchStac } from '../stac/stacSearch';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

export function stacHandlers(
  ctx: HandlerContext & { readonly currentProject: ProjectStore | null },
): DomainHandlers<'stac:'> {
  let inFlight: AbortController | null = null;
  const openStore = () => ctx.currentProject;
  return {
    'stac:catalogues': () => projectCatalogues(openStore()),
    'stac:search': async (query) => {
      inFlight?.abort();
      const controller = new AbortController();
      inFlight = controller;
      try {
        const result = await searchStac(query, { signal: controller.signal });
        const store = openStore();
        if (store && !store.readOnly) rememberCatalogue(store, query.apiUrl, query.collections);
        return result;
      } finally {
        if (inFlight === controller) inFlight = null;
      }
    },
    'stac:cancel': () => {
      inFlight?.abort();
      return null;
    },
    'stac:useScenes': async ({ role, catalogue, scenes }) => {
      const store = ctx.requireProject();
      if (store.readOnly) {
        throw new ChangeMapError(
          'PROJECT_READ_ONLY',
          'The project is open read-only; open a copy you can change.',
        );
      }
      const uris = scenes.map((s) => s.asset.href);
      // The imagery is checked (opened, aligned) first; only then is where it came from recorded.
      let state = await ctx.services().imagery.setFiles(role, uris);
      const sources: Record<string, ImagerySource> = {};
      for (const s of scenes) {
        sources[s.asset.href] = {
          kind: 'stac',
          catalogue,
          itemUrl: s.itemUrl,
          itemId: s.id,
          collection: s.collection,
          datetime: s.datetime,
          platform: s.platform,
          assetKey: s.asset.key,
        };
      }
      recordImagerySources(store, sources);
      const day = scenes.map((s) => s.datetime?.slice(0, 10)).find((d) => d && /^\d{4}-\d{2}-\d{2}$/.test(d));
      if (day && state[role]?.acquiredAt !== day) {
        state = await ctx.services().imagery.setAcquiredAt(role, day);
      }
      ctx.events.emit('imagery:changed', state);
      return state;
    },
  };
}
