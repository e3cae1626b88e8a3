// API handlers of the imagery-catalogue channels: search a STAC API (one search at a time per session, cancellable)
// and make the picked scenes a date's imagery by reference.
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError, isChangeMapError } from '../../core/errors';
import { SAMPLE_TYPES } from '../../core/raster/sampleTypes';
import {
  DEFAULT_STACK_BANDS,
  type ImagerySource,
  type StacBandAsset,
  type StacUseScenesRequest,
} from '../../ipc/stacSchemas';
import {
  answerNoSoonerThan,
  REMOTE_FAILURE_FLOOR_MS,
  REMOTE_FAILURES_PER_WINDOW,
  RemoteFailureLimit,
} from '../imagery/remoteAddress';
import type { ProjectStore } from '../project/projectStore';
import { downloadBandStack, pickBands, planBandStack, writeBandStackVrt } from '../stac/bandStack';
import { projectCatalogues, rememberCatalogue } from '../stac/catalogues';
import { recordImagerySources } from '../stac/imagerySources';
import { downloadImage } from '../stac/downloadImage';
import { safeFileName, sceneAssetFileName } from '../stac/sceneFiles';
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
    'stac:search': (query) =>
      withSessionSignal(session, async (signal) => {
        const startedAt = Date.now();
        checkCatalogueLimit(query.apiUrl);
        try {
          const planet = isPlanetApi(query.apiUrl);
          // The STAC libraries (stac-js and its geometry helpers) load at the first search.
          const result = planet
            ? await searchPlanetCatalogue(ctx.planetKeys, query, signal)
            : await (await import('../stac/stacSearch')).searchStac(query, { signal });
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
        }
      }),
    'stac:thumbnail': ({ url }) => thumbnails.fetch(url),
    'stac:cancel': () => {
      session.inFlight?.abort();
      return null;
    },
    'stac:useScenes': async ({ role, dateId, catalogue, download, bands, scenes }) => {
      const store = ctx.requireProject();
      const imagery = ctx.services().imagery;
      // Planet's images are prepared (activated) and always downloaded: their addresses are signed and expire.
      const planet = isPlanetApi(catalogue);
      const images: SceneImage[] = planet
        ? await withSessionSignal(session, (signal) =>
            downloadPlanetScenes(ctx, store.dataDir, scenes.map(withImageAsset), signal),
          ).then((files) =>
            files.map((uri, i) => ({ uri, asset: scenes[i].asset, bands: null, written: false })),
          )
        : await scenesAsImages(store.dataDir, scenes, bands, download, session, ctx);
      const uris = images.map((i) => i.uri);
      const day = scenes.map((s) => s.datetime?.slice(0, 10)).find((d) => d && /^\d{4}-\d{2}-\d{2}$/.test(d));
      // The imagery is checked (opened, aligned) first; only then is where it came from recorded.
      let state;
      try {
        state =
          role !== undefined
            ? await imagery.setFiles(role, uris)
            : dateId !== undefined
              ? await imagery.setDateFiles(dateId, uris)
              : await imagery.addDate(uris, day ?? null);
      } catch (error) {
        // A stack written for this call and refused leaves nothing behind.
        for (const image of images) if (image.written) fs.rmSync(image.uri, { force: true });
        throw error;
      }
      recordImagerySources(store, sourcesOf(scenes, catalogue, images, planet ? 'planet' : 'stac'));
      const which = role ?? dateId;
      if (day && which !== undefined) state = await imagery.setAcquiredAt(which, day);
      ctx.events.emit('imagery:changed', state);
      return state;
    },
  };
}

type PickedScene = StacUseScenesRequest['scenes'][number];

/** What a picked scene becomes: its image's address or local copy, or a stack of its bands (a VRT or a GeoTIFF). */
interface SceneImage {
  uri: string;
  /** The image asset read (a visual or multi-band asset); null for a stack. */
  asset: { key: string; href: string } | null;
  /** The stacked bands, in order. */
  bands: StacBandAsset[] | null;
  /** Written by this call (removed again when the imagery is refused). */
  written: boolean;
}

/**
 * Each scene's image: its image asset unless bands are asked for or it has none, then a stack of the asked bands
 * (default red, green, blue); downloaded into `<data folder>/downloads` when asked, else read by reference (a stack
 * by a VRT in `<data folder>/stacks` naming the bands' addresses).
 */
async function scenesAsImages(
  dataDir: string,
  scenes: PickedScene[],
  bands: string[] | undefined,
  download: boolean,
  session: { inFlight: AbortController | null },
  ctx: HandlerContext,
): Promise<SceneImage[]> {
  return withSessionSignal(session, async (signal) => {
    const images: SceneImage[] = [];
    try {
      for (const [index, s] of scenes.entries()) {
        // Names from the catalogue are reduced to safe characters: nothing it sends can point outside the folder.
        const collection = safeFileName(s.collection ?? 'items');
        const progress = (bytes: number, totalBytes: number | null, file: string) =>
          ctx.events.emit('stac:downloadProgress', { file, bytes, totalBytes, index, count: scenes.length });
        if (!bands && s.asset) {
          if (!download) {
            images.push({ uri: s.asset.href, asset: s.asset, bands: null, written: false });
            continue;
          }
          const folder = path.join(dataDir, 'downloads', collection);
          fs.mkdirSync(folder, { recursive: true });
          const file = path.join(folder, sceneAssetFileName(s.id, s.asset.key));
          await downloadImage(s.asset.href, file, {
            signal: signal,
            onProgress: (p) => progress(p.bytes, p.totalBytes, file),
          });
          images.push({ uri: file, asset: s.asset, bands: null, written: false });
          continue;
        }
        if (!s.bands.length && !s.asset) {
          throw new ChangeMapError(
            'STAC_NO_IMAGE',
            `Scene ${s.id} has neither an image nor bands of its own to stack; pick another scene.`,
          );
        }
        const picked = pickBands(s, bands ?? DEFAULT_STACK_BANDS);
        const layout = await planBandStack(s.id, picked, { signal: signal });
        const name = `${safeFileName(s.id)}-${picked.map((b) => safeFileName(b.commonName)).join('-')}`;
        const vrt = path.join(dataDir, 'stacks', collection, `${name}.vrt`);
        const existed = fs.existsSync(vrt);
        writeBandStackVrt(vrt, layout);
        if (!download) {
          images.push({ uri: vrt, asset: null, bands: picked, written: !existed });
          continue;
        }
        const file = path.join(dataDir, 'downloads', collection, `${name}.tif`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const rowBytes = layout.grid.width * layout.bands.length * SAMPLE_TYPES[layout.sampleType].bytes;
        try {
          await downloadBandStack(vrt, layout, file, {
            signal: signal,
            onProgress: (p) => progress(p.rows * rowBytes, p.totalRows * rowBytes, file),
          });
        } finally {
          if (!existed) fs.rmSync(vrt, { force: true });
        }
        images.push({ uri: file, asset: null, bands: picked, written: false });
      }
      return images;
    } catch (error) {
      for (const image of images) if (image.written) fs.rmSync(image.uri, { force: true });
      throw error;
    }
  });
}

function sourcesOf(
  scenes: PickedScene[],
  catalogue: string | null,
  images: SceneImage[],
  kind: ImagerySource['kind'],
): Record<string, ImagerySource> {
  return Object.fromEntries(
    scenes.map((s, i) => {
      const { uri, asset, bands } = images[i];
      return [
        uri,
        {
          ...(asset && uri !== asset.href ? { downloadedFrom: asset.href } : {}),
          kind,
          catalogue,
          itemUrl: s.itemUrl,
          itemId: s.id,
          collection: s.collection,
          datetime: s.datetime,
          platform: s.platform,
          assetKey: asset ? asset.key : bands!.map((b) => b.key).join('+'),
          ...(bands
            ? { bands: bands.map((b) => ({ assetKey: b.key, commonName: b.commonName, href: b.href })) }
            : {}),
        },
      ];
    }),
  );
}

/** A scene that must have its own image (Planet's are downloaded as they are, never stacked). */
function withImageAsset(s: PickedScene): PickedScene & { asset: { key: string; href: string } } {
  if (!s.asset) {
    throw new ChangeMapError(
      'STAC_NO_IMAGE',
      `Scene ${s.id} has no image of its own to download; pick another scene.`,
    );
  }
  return { ...s, asset: s.asset };
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
