// Planet Data API quick search (POST /quick-search with item types and an AndFilter of the area, the acquisition
// dates and the cloud cover; later pages by GET on `_links._next`), and Planet's items made into the scenes the
// "Find imagery" panel, the map and `changemap search` already show for STAC catalogues.
import { z } from 'zod';
import { ChangeMapError } from '../../core/errors';
import type { StacScene, StacSearchQuery, StacSearchResult } from '../../ipc/stacSchemas';
import { collectScenes, type SearchProgress } from '../stac/searchPages';
import { outerRings } from '../stac/stacScene';
import { planetApiUrl, planetJson, PLANET_ITEM_TYPES, type PlanetRequestOptions } from './planetApi';

/** Items per page (Planet allows up to 250). */
const PAGE_SIZE = 100;

/**
 * The image asset types ChangeMap reads from a Planet item, best first: the true-colour "visual" product (three
 * bands, as Sentinel-2's TCI), then the surface-reflectance and plain analytic ones (blue, green, red, near infrared).
 */
const ASSET_PREFERENCE: { type: string; commonNames: string[] }[] = [
  { type: 'ortho_visual', commonNames: ['red', 'green', 'blue'] },
  { type: 'visual', commonNames: ['red', 'green', 'blue'] },
  { type: 'ortho_analytic_4b_sr', commonNames: ['blue', 'green', 'red', 'nir'] },
  { type: 'ortho_analytic_4b', commonNames: ['blue', 'green', 'red', 'nir'] },
  { type: 'ortho_analytic_sr', commonNames: ['blue', 'green', 'red', 'nir'] },
  { type: 'ortho_analytic', commonNames: ['blue', 'green', 'red', 'nir'] },
  { type: 'analytic_sr', commonNames: ['blue', 'green', 'red', 'nir'] },
  { type: 'analytic', commonNames: ['blue', 'green', 'red', 'nir'] },
];

const httpUrl = z.string().regex(/^https?:\/\//i);
/** What ChangeMap reads of a Planet item; other fields may come along and are ignored. */
const planetFeature = z.object({
  id: z.string().min(1).max(500),
  geometry: z.unknown().optional(),
  properties: z
    .object({
      acquired: z.string().optional(),
      item_type: z.string().optional(),
      cloud_cover: z.number().optional(),
      cloud_percent: z.number().optional(),
      gsd: z.number().optional(),
      pixel_resolution: z.number().optional(),
      satellite_id: z.string().optional(),
      provider: z.string().optional(),
    })
    .passthrough(),
  _links: z
    .object({ _self: httpUrl.optional(), assets: httpUrl.optional(), thumbnail: httpUrl.optional() })
    .passthrough()
    .optional(),
  _permissions: z.array(z.string()).optional(),
  assets: z.array(z.string()).optional(),
});
const planetPage = z.object({
  features: z.array(z.unknown()),
  _links: z.object({ _next: httpUrl.nullish() }).passthrough().optional(),
});
export type PlanetFeature = z.infer<typeof planetFeature>;

type PlanetRequest = { url: string; method: 'GET' | 'POST'; body?: unknown };

export interface PlanetSearchOptions extends PlanetRequestOptions {
  onProgress?: (p: SearchProgress) => void;
}

/** Searches Planet for the query's area and dates; `collections` are Planet item types (PSScene by default). */
export async function searchPlanet(
  query: StacSearchQuery,
  key: string,
  options: PlanetSearchOptions = {},
): Promise<StacSearchResult> {
  const api = planetApiUrl(options.env);
  const itemTypes = query.collections.length ? query.collections : [PLANET_ITEM_TYPES[0]];
  const first = new URL(`${api}/quick-search`);
  first.searchParams.set('_page_size', String(Math.min(PAGE_SIZE, query.limit)));
  first.searchParams.set('_sort', 'acquired asc');
  const { scenes, truncated, pages } = await collectScenes(
    { url: first.href, method: 'POST', body: { item_types: itemTypes, filter: planetFilter(query) } },
    async (request: PlanetRequest) => {
      const page = parsePage(await planetJson(request, key, 'the search', options));
      const next = page._links?._next;
      return {
        items: page.features,
        next: (): PlanetRequest | null =>
          next && next !== request.url ? { url: next, method: 'GET' } : null,
      };
    },
    (raw: unknown) => {
      const feature = planetFeature.safeParse(raw);
      if (!feature.success) throw badAnswer('an item without an id or properties');
      return sceneOfPlanetItem(feature.data, api);
    },
    query,
    options.onProgress,
  );
  return { scenes, truncated, method: 'POST', pages };
}

/** Planet's filter language: the area's rectangle, the inclusive days of acquisition, the cloud fraction (0-1). */
export function planetFilter(query: StacSearchQuery): Record<string, unknown> {
  const [w, s, e, n] = query.bbox;
  const config: Record<string, unknown>[] = [
    {
      type: 'GeometryFilter',
      field_name: 'geometry',
      config: {
        type: 'Polygon',
        coordinates: [
          [
            [w, s],
            [e, s],
            [e, n],
            [w, n],
            [w, s],
          ],
        ],
      },
    },
    {
      type: 'DateRangeFilter',
      field_name: 'acquired',
      config: { gte: `${query.from}T00:00:00.000Z`, lte: `${query.to}T23:59:59.999Z` },
    },
  ];
  if (query.maxCloudCover !== undefined) {
    config.push({
      type: 'RangeFilter',
      field_name: 'cloud_cover',
      config: { lte: query.maxCloudCover / 100 },
    });
  }
  return { type: 'AndFilter', config };
}

function parsePage(json: unknown) {
  const page = planetPage.safeParse(json);
  if (!page.success) throw badAnswer('something other than a list of items');
  return page.data;
}

function badAnswer(what: string): ChangeMapError {
  return new ChangeMapError(
    'PLANET_BAD_RESPONSE',
    `Planet answered the search with ${what}; try again later.`,
  );
}

/** One Planet item as a scene; its image is the best asset type the user's account may download. */
export function sceneOfPlanetItem(item: PlanetFeature, api: string): StacScene {
  const p = item.properties;
  const itemType = p.item_type ?? itemTypeOfLink(item._links?._self) ?? 'PSScene';
  const footprint = outerRings(item.geometry);
  const points = footprint.flat();
  const chosen = chooseAsset(item);
  const assetsUrl =
    item._links?.assets ??
    `${api}/item-types/${encodeURIComponent(itemType)}/items/${encodeURIComponent(item.id)}/assets/`;
  const acquired =
    p.acquired && Number.isFinite(Date.parse(p.acquired)) ? new Date(p.acquired).toISOString() : null;
  return {
    id: item.id,
    collection: itemType,
    itemUrl: item._links?._self ?? null,
    datetime: acquired,
    // cloud_percent is 0-100 where given (PSScene); cloud_cover is a fraction 0-1.
    cloudCover:
      finite(p.cloud_percent) ??
      (finite(p.cloud_cover) !== null ? Math.round(p.cloud_cover! * 10000) / 100 : null),
    gsdM: finite(p.pixel_resolution) ?? finite(p.gsd),
    platform: p.satellite_id ?? p.provider ?? null,
    bbox: points.length
      ? [
          Math.min(...points.map((q) => q[0])),
          Math.min(...points.map((q) => q[1])),
          Math.max(...points.map((q) => q[0])),
          Math.max(...points.map((q) => q[1])),
        ]
      : null,
    footprint,
    thumbnailUrl: item._links?.thumbnail ?? null,
    asset: chosen
      ? { key: chosen.type, href: assetsUrl, title: `Planet ${chosen.type}`, commonNames: chosen.commonNames }
      : null,
    unusable: chosen
      ? null
      : 'Your Planet account may not download a visual or analytic image of this scene (no download permission).',
  };
}

/**
 * The asset type to activate and download: the first preferred one the item has and the key may download
 * (`_permissions` holds `assets.<type>:download`). An item that lists no assets or permissions is offered its
 * visual product; activation then says whether it exists.
 */
function chooseAsset(item: PlanetFeature): { type: string; commonNames: string[] } | null {
  const listed = item.assets;
  const permissions = item._permissions;
  return (
    ASSET_PREFERENCE.find(
      ({ type }) =>
        (!listed || listed.includes(type)) &&
        (!permissions || permissions.includes(`assets.${type}:download`)),
    ) ?? null
  );
}

function itemTypeOfLink(url: string | undefined): string | null {
  return url ? (/\/item-types\/([^/]+)\/items\//.exec(url)?.[1] ?? null) : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
