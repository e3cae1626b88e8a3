// API handlers of the imagery-catalogue channels: search a STAC API (one search at a time per session, cancellable)
// and make the picked scenes a date's imagery by reference.
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError, isChangeMapError } from '../../core/errors';
import type { ImagerySource } from '../../ipc/stacSchemas';
import {
  answerNoSoonerThan,
  REMOTE_FAILURE_FLOOR_MS,
  REMOTE_FAILURES_PER_WINDOW,
  RemoteFailureLimit,
} from '../imagery/remoteAddress';
import type { ProjectStore } from '../project/projectStore';
import { projectCatalogues, rememberCatalogue } from '../stac/catalogues';
import { recordImagerySources } from '../stac/imagerySources';
import { downloadImage } from '../stac/downloadImage';
import { hostOf } from '../stac/stacHttp';
import { ThumbnailGate } from '../stac/stacThumbnail';
import type { DomainHandlers, HandlerContext } from './handlerTypes';
import { isPlanetApi } from '../planet/planetApi';
import {
  downloadPlanetScenes,
  planetCatalogue,
  planetThumbnailHeaders,
  searchPlanetCatalogue,
  type PlanetContext,
} from './planetHandlers';

/** Failed catalogue requests of this process, limited like imagery addresses. */
const catalogueFailures = new RemoteFailureLimit();

function checkCatalogueLimit(url: string): void {
  try {
    catalogueFailures.check(url);
  } catch {
    throw new ChangeMapError(
      'STAC_RATE_LIMITED',
      `${hostOf(url)} was not asked: ${REMOTE_FAILURES_PER_WINDOW} catalogue searches failed in the last minute; check the address and try again in a minute.`,
    );
  }
}

const sessionState = new WeakMap<object, { inFlight: AbortController | null; thumbnails: ThumbnailGate }>();

export function stacHandlers(
  ctx: PlanetContext & { readonly currentProject: ProjectStore | null },
): DomainHandlers<'stac:'> {
  // Kept per session, not per handler set: a session may hand out its handlers more than once.
  let state = sessionState.get(ctx);
  if (!state) {
    const thumbnails = new ThumbnailGate((url) => planetThumbnailHeaders(ctx.planetKeys, url));
    sessionState.set(ctx, (state = { inFlight: null, thumbnails }));
  }
  const session = state;
  const { thumbnails } = session;
  const openStore = () => ctx.currentProject;
  return {
    'stac:catalogues': () => [...projectCatalogues(openStore()), planetCatalogue()],
    'stac:search': async (query) => {
      session.inFlight?.abort();
      const controller = new AbortController();
      session.inFlight = controller;
      const startedAt = Date.now();
      checkCatalogueLimit(query.apiUrl);
      try {
        const planet = isPlanetApi(query.apiUrl);
        // The STAC libraries (stac-js and its geometry helpers) load at the first search.
        const result = planet
          ? await searchPlanetCatalogue(ctx.planetKeys, query, controller.signal)
          : await (await import('../stac/stacSearch')).searchStac(query, { signal: controller.signal });
        thumbnails.allow(result.scenes.map((s) => s.thumbnailUrl));
        const store = openStore();
        if (store && !store.readOnly && !planet) rememberCatalogue(store, query.apiUrl, query.collections);
        return result;
      } catch (error) {
        // Failures are rate-limited and answer no sooner than the floor, as imagery addresses do
        // (imagery/remoteAddress.ts): the search must not serve to probe which local ports answer.
        if (!(isChangeMapError(error) && error.code === 'STAC_CANCELLED')) {
          catalogueFailures.record();
          await answerNoSoonerThan(startedAt, REMOTE_FAILURE_FLOOR_MS);
        }
        throw error;
      } finally {
        if (session.inFlight === controller) session.inFlight = null;
      }
    },
    'stac:thumbnail': ({ url }) => thumbnails.fetch(url),
    'stac:cancel': () => {
      session.inFlight?.abort();
      return null;
    },
    'stac:useScenes': async ({ role, dateId, catalogue, download, scenes }) => {
      const store = ctx.requireProject();
      const imagery = ctx.services().imagery;
      const hrefs = scenes.map((s) => s.asset.href);
      // Planet's images are prepared (activated) and always downloaded: their addresses are signed and expire.
      const planet = isPlanetApi(catalogue);
      const uris = planet
        ? await withSessionSignal(session, (signal) =>
            downloadPlanetScenes(ctx, store.dataDir, scenes, signal),
          )
        : download
          ? await downloadScenes(store.dataDir, scenes, session, ctx)
          : hrefs;
      const day = scenes.map((s) => s.datetime?.slice(0, 10)).find((d) => d && /^\d{4}-\d{2}-\d{2}$/.test(d));
      // The imagery is checked (opened, aligned) first; only then is where it came from recorded.
      let state =
        role !== undefined
          ? await imagery.setFiles(role, uris)
          : dateId !== undefined
            ? await imagery.setDateFiles(dateId, uris)
            : await imagery.addDate(uris, day ?? null);
      recordImagerySources(store, sourcesOf(scenes, catalogue, uris, planet ? 'planet' : 'stac'));
      const which = role ?? dateId;
      if (day && which !== undefined) state = await imagery.setAcquiredAt(which, day);
      ctx.events.emit('imagery:changed', state);
      return state;
    },
  };
}

function sourcesOf(
  scenes: {
    id: string;
    collection: string | null;
    itemUrl: string | null;
    datetime: string | null;
    platform: string | null;
    asset: { key: string; href: string };
  }[],
  catalogue: string | null,
  uris: string[],
  kind: ImagerySource['kind'],
): Record<string, ImagerySource> {
  return Object.fromEntries(
    scenes.map((s, i) => [
      uris[i],
      {
        ...(uris[i] !== s.asset.href ? { downloadedFrom: s.asset.href } : {}),
        kind,
        catalogue,
        itemUrl: s.itemUrl,
        itemId: s.id,
        collection: s.collection,
        datetime: s.datetime,
        platform: s.platform,
        assetKey: s.asset.key,
      },
    ]),
  );
}

/** Downloads each scene's image into `<data folder>/downloads`, resumably, announcing progress; local paths back. */
async function downloadScenes(
  dataDir: string,
  scenes: { id: string; collection: string | null; asset: { key: string; href: string } }[],
  session: { inFlight: AbortController | null },
  ctx: HandlerContext,
): Promise<string[]> {
  const controller = new AbortController();
  session.inFlight?.abort();
  session.inFlight = controller;
  try {
    const files: string[] = [];
    for (const [index, s] of scenes.entries()) {
      // Names from the catalogue are reduced to safe characters: nothing it sends can point outside the folder.
      const folder = path.join(dataDir, 'downloads', safeName(s.collection ?? 'items'));
      fs.mkdirSync(folder, { recursive: true });
      const file = path.join(folder, `${safeName(s.id)}-${safeName(s.asset.key)}.tif`);
      await downloadImage(s.asset.href, file, {
        signal: controller.signal,
        onProgress: (p) =>
          ctx.events.emit('stac:downloadProgress', {
            file,
            bytes: p.bytes,
            totalBytes: p.totalBytes,
            index,
            count: scenes.length,
          }),
      });
      files.push(file);
    }
    return files;
  } finally {
    if (session.inFlight === controller) session.inFlight = null;
  }
}

/** Runs `work` as the session's request in flight: stac:cancel (or a new request) stops it. */
async function withSessionSignal<T>(
  session: { inFlight: AbortController | null },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  session.inFlight?.abort();
  session.inFlight = controller;
  try {
    return await work(controller.signal);
  } finally {
    if (session.inFlight === controller) session.inFlight = null;
  }
}

function safeName(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 120) || '_'
  );
}
