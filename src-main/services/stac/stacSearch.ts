// STAC API item search (https://github.com/radiantearth/stac-api-spec, item-search): find the landing page's
// `search` link, send the query (POST where offered, else GET), follow `next` links page by page, and make scenes
// of the items. Cloud cover is asked of the server where it says it can filter, and always checked here too.
import create, { type Catalog, type ItemCollection, type Link } from 'stac-js';
import { ChangeMapError } from '../../core/errors';
import type { StacSearchQuery, StacSearchResult } from '../../ipc/stacSchemas';
import { collectScenes, type SearchProgress } from './searchPages';
import { fetchStacJson, hostOf, type StacRequest, type StacRequestOptions } from './stacHttp';
import { sceneOfItem } from './stacScene';

/** Items asked for per page; servers cap it themselves (commonly 100-250). */
const PAGE_SIZE = 100;

export async function searchStac(
  query: StacSearchQuery,
  options: StacRequestOptions & { onProgress?: (p: SearchProgress) => void } = {},
): Promise<StacSearchResult> {
  const landing = await readCatalogue(query.apiUrl, options);
  const searchLink = landing.getSearchLink('POST') ?? landing.getSearchLink('GET') ?? landing.getSearchLink();
  if (!searchLink) {
    throw new ChangeMapError(
      'STAC_NOT_AN_API',
      `${hostOf(query.apiUrl)} has no item search (no "search" link): it is a static catalogue or not a STAC API; use a STAC API's address.`,
    );
  }
  const method = (searchLink.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const conformance = Array.isArray(landing.conformsTo) ? landing.conformsTo : [];
  const { scenes, truncated, pages } = await collectScenes(
    firstPage(absolute(searchLink, query.apiUrl), method, query, conformance),
    async (request: StacRequest) => {
      const page = await readPage(request, options);
      return { items: page.features, next: () => nextPage(page, request) };
    },
    sceneOfItem,
    query,
    options.onProgress,
  );
  return { scenes, truncated, method, pages };
}

async function readCatalogue(url: string, options: StacRequestOptions): Promise<Catalog> {
  const json = await fetchStacJson({ url }, options);
  const stac = safeCreate(json, url);
  if (!stac || stac.getObjectType() === 'Item' || stac.getObjectType() === 'ItemCollection') {
    throw new ChangeMapError(
      'STAC_NOT_AN_API',
      `${hostOf(url)} did not answer with a STAC landing page; use the STAC API's root address.`,
    );
  }
  const catalog = stac as Catalog;
  catalog.setAbsoluteUrl(url);
  return catalog;
}

async function readPage(request: StacRequest, options: StacRequestOptions): Promise<ItemCollection> {
  const json = await fetchStacJson(request, options);
  const stac = safeCreate(json, request.url);
  if (
    !stac ||
    stac.getObjectType() !== 'ItemCollection' ||
    !Array.isArray((stac as ItemCollection).features)
  ) {
    throw new ChangeMapError(
      'STAC_BAD_RESPONSE',
      `The catalogue at ${hostOf(request.url)} answered the search with something other than a list of items (a GeoJSON FeatureCollection).`,
    );
  }
  const page = stac as ItemCollection;
  for (const item of page.features) {
    // Relative asset and thumbnail addresses resolve against the item's own address, else the page's.
    const self = item.getLinkWithRel('self');
    item.setAbsoluteUrl(self ? new URL(self.href, request.url).href : request.url);
  }
  return page;
}

/** stac-js throws on some malformed documents; those are the catalogue's fault, said as such. */
function safeCreate(json: unknown, url: string) {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
  try {
    return create(json);
  } catch (error) {
    throw new ChangeMapError(
      'STAC_BAD_RESPONSE',
      `The catalogue at ${hostOf(url)} sent a document that is not valid STAC (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

function firstPage(
  url: string,
  method: 'GET' | 'POST',
  q: StacSearchQuery,
  conformance: string[],
): StacRequest {
  const datetime = `${q.from}T00:00:00Z/${q.to}T23:59:59Z`;
  const limit = Math.min(PAGE_SIZE, q.limit);
  if (method === 'POST') {
    const body: Record<string, unknown> = { bbox: q.bbox, datetime, limit };
    if (q.collections.length) body.collections = q.collections;
    if (q.maxCloudCover !== undefined) Object.assign(body, cloudFilter(q.maxCloudCover, conformance));
    return { url, method, body };
  }
  const params = new URLSearchParams({ bbox: q.bbox.join(','), datetime, limit: String(limit) });
  if (q.collections.length) params.set('collections', q.collections.join(','));
  const search = new URL(url);
  for (const [k, v] of params) search.searchParams.set(k, v);
  return { url: search.href, method };
}

/** The server-side cloud filter, in the language the API says it understands (CQL2 filter, or the query extension). */
function cloudFilter(max: number, conformance: string[]): Record<string, unknown> {
  if (conformance.some((c) => c.includes('item-search#filter'))) {
    return { 'filter-lang': 'cql2-json', filter: { op: '<=', args: [{ property: 'eo:cloud_cover' }, max] } };
  }
  if (conformance.some((c) => c.includes('item-search#query')))
    return { query: { 'eo:cloud_cover': { lte: max } } };
  return {};
}

/** The next page per the spec's link object: its method and body, merged with the previous body where asked. */
function nextPage(page: ItemCollection, previous: StacRequest): StacRequest | null {
  const next = page.getLinkWithRel('next');
  if (!next) return null;
  const url = new URL(next.href, previous.url).href;
  const method = (next.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const body =
    method === 'POST'
      ? next.merge
        ? { ...(previous.body as Record<string, unknown>), ...next.body }
        : (next.body ?? previous.body)
      : undefined;
  const request: StacRequest = { url, method, body, headers: next.headers };
  // A server whose next link repeats the page just read would page forever.
  if (url === previous.url && JSON.stringify(body) === JSON.stringify(previous.body)) return null;
  return request;
}

function absolute(link: Link, base: string): string {
  return new URL(link.href, base).href;
}
