// A fake of Planet's Data API on loopback for tests (no test may reach the internet, and none may use a real key):
// quick search with paging through `_links._next`, items' assets that go inactive -> activating -> active after an
// activation, the activated GeoTIFF served with HTTP range requests, PNG thumbnails behind the key. The search can
// also misbehave on purpose (401, 429 with Retry-After, 500, malformed JSON, never answering).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody, sendJson, sendPng, serveRange } from '../../stac/testing/httpAnswers';

export interface FakePlanetItem {
  id: string;
  itemType: string;
  /** ISO date-time. */
  acquired: string;
  /** Fraction 0-1, as Planet's `cloud_cover`. */
  cloudCover: number;
  /** West, south, east, north. */
  bbox: [number, number, number, number];
  /** The GeoTIFF served once the asset is active. */
  file: string;
  /** Asset types the item has (default: ortho_visual and ortho_analytic_4b). */
  assets?: string[];
  /** Asset types the key may download (default: all). */
  downloadable?: string[];
}

export type FakePlanetFailure = 'http401' | 'http429' | 'http500' | 'badjson' | 'stall';

export interface FakePlanetApi {
  /** The Data API's root, as CHANGEMAP_PLANET_API_URL. */
  url: string;
  /** The one key the fake accepts. */
  key: string;
  /** Makes every later search misbehave as asked; null: well-behaved again. */
  failSearch: FakePlanetFailure | null;
  /** Every request: method, path with query, the body, and whether it carried the key. */
  requests: { method: string; path: string; body: unknown; authorized: boolean }[];
  /** Asset status reads an activation takes to become active (after the one that sees it "activating"). */
  activationPolls: number;
  /** The next this-many reads of an item's assets answer 429 with Retry-After: assetsRetryAfter. */
  rateLimitAssetReads: number;
  assetsRetryAfter: string;
  close(): Promise<void>;
}

export const FAKE_PLANET_KEY = 'PLAKfake0123456789abcdef01234567';

export async function startFakePlanetApi(
  items: FakePlanetItem[],
  options: { pageSize?: number; activationPolls?: number } = {},
): Promise<FakePlanetApi> {
  const pageSize = options.pageSize ?? 2;
  const stalled: ServerResponse[] = [];
  /** Asset status per `<item id>/<asset type>`: absent means inactive; a number counts the reads left while activating. */
  const activations = new Map<string, number | 'active'>();
  const searches = new Map<string, FakePlanetItem[]>();
  let base = '';

  const api: FakePlanetApi = {
    url: '',
    key: FAKE_PLANET_KEY,
    failSearch: null,
    requests: [],
    activationPolls: options.activationPolls ?? 2,
    rateLimitAssetReads: 0,
    assetsRetryAfter: '0',
    close: () =>
      new Promise((resolve) => {
        for (const res of stalled) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer((req, res) => {
    void readJsonBody(req).then((body) => {
      const url = new URL(req.url ?? '/', base);
      const authorized = hasKey(req);
      api.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, body, authorized });
      route(req, res, url, body as Record<string, unknown> | null, authorized);
    });
  });

  function hasKey(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (header === `api-key ${api.key}`) return true;
    const basic = /^Basic (.+)$/.exec(header);
    return !!basic && Buffer.from(basic[1], 'base64').toString('utf8') === `${api.key}:`;
  }

  function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Record<string, unknown> | null,
    authorized: boolean,
  ): void {
    const path = url.pathname;
    // The download location carries its own token, as Planet's does; everything else needs the key.
    const download = /^\/download\/([^/]+)\/([^/]+)\.tif$/.exec(path);
    if (download && req.method === 'GET') {
      const item = items.find((i) => i.id === decodeURIComponent(download[1]));
      const ok = item && activations.get(`${item.id}/${download[2]}`) === 'active';
      if (!ok || url.searchParams.get('token') !== 'signed')
        return sendJson(res, 404, { message: 'Not found' });
      return serveRange(req, res, readFileSync(item.file));
    }
    if (!authorized)
      return sendJson(res, 401, { message: 'Please enter your API key, or email and password.' });
    if (path === '/quick-search' && req.method === 'POST') {
      if (api.failSearch) return fail(res, api.failSearch);
      const found = items.filter((item) => matches(item, body));
      const id = `s${searches.size + 1}`;
      searches.set(id, found);
      return sendJson(res, 200, page(id, found, 0, sizeOf(url)));
    }
    const results = /^\/searches\/([^/]+)\/results$/.exec(path);
    if (results && req.method === 'GET') {
      const found = searches.get(results[1]);
      if (!found) return sendJson(res, 404, { message: 'No such search' });
      return sendJson(
        res,
        200,
        page(results[1], found, Number(url.searchParams.get('_page') ?? 0), sizeOf(url)),
      );
    }
    const assets = /^\/item-types\/([^/]+)\/items\/([^/]+)\/assets\/?$/.exec(path);
    if (assets && req.method === 'GET') {
      const item = items.find((i) => i.itemType === assets[1] && i.id === decodeURIComponent(assets[2]));
      if (!item) return sendJson(res, 404, { message: 'Item not found' });
      if (api.rateLimitAssetReads > 0) {
        api.rateLimitAssetReads -= 1;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': api.assetsRetryAfter });
        return void res.end(JSON.stringify({ message: 'Too many requests' }));
      }
      return sendJson(res, 200, assetsOf(item));
    }
    const activate = /^\/assets\/([^/]+)\/([^/]+)\/activate$/.exec(path);
    if (activate && req.method === 'POST') {
      const key = `${decodeURIComponent(activate[1])}/${activate[2]}`;
      if (activations.has(key)) return void res.writeHead(204).end();
      activations.set(key, api.activationPolls);
      return void res.writeHead(202).end();
    }
    const thumb = /^\/thumb\/([^/]+)\/([^/]+)$/.exec(path);
    if (thumb && req.method === 'GET') return sendPng(res, 0, [180, 90]);
    sendJson(res, 404, { message: `No route ${req.method} ${path}` });
  }

  /** The page size asked for, capped at the fake's own (as Planet caps it at 250). */
  function sizeOf(url: URL): number {
    return Math.min(Number(url.searchParams.get('_page_size') ?? pageSize) || pageSize, pageSize);
  }

  function matches(item: FakePlanetItem, body: Record<string, unknown> | null): boolean {
    const types = (body?.item_types as string[] | undefined) ?? [];
    if (!types.includes(item.itemType)) return false;
    const filters = ((body?.filter as { config?: unknown[] } | undefined)?.config ?? []) as {
      type: string;
      field_name: string;
      config: Record<string, unknown>;
    }[];
    for (const f of filters) {
      if (f.type === 'DateRangeFilter' && f.field_name === 'acquired') {
        const t = Date.parse(item.acquired);
        if (f.config.gte && t < Date.parse(String(f.config.gte))) return false;
        if (f.config.lte && t > Date.parse(String(f.config.lte))) return false;
      }
      if (f.type === 'RangeFilter' && f.field_name === 'cloud_cover') {
        if (typeof f.config.lte === 'number' && item.cloudCover > f.config.lte) return false;
      }
      if (f.type === 'GeometryFilter') {
        const ring = (f.config.coordinates as number[][][])[0];
        const [w, s, e, n] = [
          Math.min(...ring.map((p) => p[0])),
          Math.min(...ring.map((p) => p[1])),
          Math.max(...ring.map((p) => p[0])),
          Math.max(...ring.map((p) => p[1])),
        ];
        const [iw, is, ie, iN] = item.bbox;
        if (iw > e || ie < w || is > n || iN < s) return false;
      }
    }
    return true;
  }

  function page(searchId: string, found: FakePlanetItem[], index: number, size: number) {
    const slice = found.slice(index * size, (index + 1) * size);
    const more = (index + 1) * size < found.length;
    return {
      type: 'FeatureCollection',
      _links: {
        _self: `${base}/searches/${searchId}/results?_page=${index}&_page_size=${size}`,
        ...(more
          ? { _next: `${base}/searches/${searchId}/results?_page=${index + 1}&_page_size=${size}` }
          : {}),
      },
      features: slice.map(featureOf),
    };
  }

  function featureOf(item: FakePlanetItem) {
    const [w, s, e, n] = item.bbox;
    const assets = item.assets ?? ['ortho_visual', 'ortho_analytic_4b'];
    const downloadable = item.downloadable ?? assets;
    const self = `${base}/item-types/${item.itemType}/items/${encodeURIComponent(item.id)}`;
    return {
      type: 'Feature',
      id: item.id,
      geometry: {
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
      properties: {
        acquired: item.acquired,
        item_type: item.itemType,
        cloud_cover: item.cloudCover,
        pixel_resolution: 3,
        gsd: 3.7,
        satellite_id: '2416',
        provider: 'planetscope',
      },
      _links: {
        _self: self,
        assets: `${self}/assets/`,
        thumbnail: `${base}/thumb/${item.itemType}/${encodeURIComponent(item.id)}`,
      },
      _permissions: downloadable.map((a) => `assets.${a}:download`),
      assets,
    };
  }

  /** The item's assets; reading them moves an activation on (activating for activationPolls reads, then active). */
  function assetsOf(item: FakePlanetItem) {
    const assets = item.assets ?? ['ortho_visual', 'ortho_analytic_4b'];
    const downloadable = item.downloadable ?? assets;
    return Object.fromEntries(
      assets.map((type) => {
        const key = `${item.id}/${type}`;
        let state = activations.get(key);
        if (typeof state === 'number') {
          state = state <= 0 ? 'active' : state - 1;
          activations.set(key, state);
        }
        const status = state === undefined ? 'inactive' : state === 'active' ? 'active' : 'activating';
        return [
          type,
          {
            _links: {
              _self: `${base}/assets/${encodeURIComponent(item.id)}/${type}`,
              activate: `${base}/assets/${encodeURIComponent(item.id)}/${type}/activate`,
              type: `${base}/asset-types/${type}`,
            },
            _permissions: downloadable.includes(type) ? ['download'] : [],
            status,
            type,
            ...(status === 'active'
              ? { location: `${base}/download/${encodeURIComponent(item.id)}/${type}.tif?token=signed` }
              : {}),
          },
        ];
      }),
    );
  }

  function fail(res: ServerResponse, failure: FakePlanetFailure): void {
    if (failure === 'http401') return sendJson(res, 401, { message: 'Invalid API key' });
    if (failure === 'http429') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      return void res.end(JSON.stringify({ message: 'Too many requests' }));
    }
    if (failure === 'http500') return sendJson(res, 500, { message: 'Internal error' });
    if (failure === 'badjson') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"features": [');
    }
    stalled.push(res); // never answered
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.url = base;
  return api;
}
