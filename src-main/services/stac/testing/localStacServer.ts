// A STAC API on loopback for tests (no test may reach the internet): a landing page, conformance, item search by
// POST and GET with paging through `next` links, items whose assets are GeoTIFFs the test wrote (served with HTTP
// range requests) and PNG thumbnails. Each catalogue address can also misbehave on purpose: /mode/<m>/ serves the
// same landing page whose search answers 400, 500, malformed JSON, or never. With `signedStorage` the assets live
// on a stand-in for Azure Blob storage (path-style, as Azure's emulator serves it) that refuses reads without a
// valid, unexpired SAS token, and the server hands tokens out as the Planetary Computer's Data Authentication API.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody, sendJson, sendPng, serveRange } from './httpAnswers';

export interface LocalScene {
  id: string;
  collection: string;
  /** ISO date-time. */
  datetime: string;
  cloudCover?: number;
  /** West, south, east, north. */
  bbox: [number, number, number, number];
  /** The GeoTIFF served as the item's image; null: the asset's address answers 404. */
  file: string | null;
  /** 'visual': one RGB asset (as Sentinel-2's TCI); 'per-band': only one asset per band (as Landsat's). */
  layout?: 'visual' | 'per-band';
  /** Per-band layout: each band's own single-band GeoTIFF (without them, every band asset names `file`). */
  bands?: LocalBand[];
  platform?: string;
  gsd?: number;
}

/** One band served as its own asset, described by eo:bands and raster:bands as Earth Search does. */
export interface LocalBand {
  key: string;
  commonName: string;
  name: string;
  file: string;
  /** Pixel size in metres (raster:bands spatial_resolution). */
  resolutionM: number;
  scale?: number;
  offset?: number;
  nodata?: number;
}

export type CatalogueMode =
  'ok' | 'get-only' | 'http400' | 'http500' | 'badjson' | 'stall' | 'static' | 'not-items';

export interface LocalStac {
  /** The landing page of a well-behaved catalogue. */
  url: string;
  /** The landing page of a catalogue that misbehaves as asked. */
  urlFor(mode: CatalogueMode): string;
  /** Every request the server saw (method and path with query), for assertions. */
  requests: { method: string; path: string; body: unknown }[];
  /** With signedStorage: the token API's base and the storage's path-style endpoint (AssetSigner's settings). */
  sasApi: string;
  storageEmulator: string;
  /** Revokes every token handed out so far, as if they had expired (their stated expiry is left as it was). */
  expireTokens(): void;
  close(): Promise<void>;
}

const STAC_VERSION = '1.0.0';
const CONFORMANCE = [
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/item-search',
  'https://api.stacspec.org/v1.0.0/item-search#query',
];

export interface SignedStorage {
  account: string;
  container: string;
  /** How long a token lives (its msft:expiry); default one hour. */
  tokenLifetimeMs?: number;
}

export async function startLocalStac(
  scenes: LocalScene[],
  options: { pageSize?: number; signedStorage?: SignedStorage } = {},
): Promise<LocalStac> {
  const pageSize = options.pageSize ?? 2;
  const signed = options.signedStorage ?? null;
  /** Valid tokens (their sig) and when they expire. */
  const tokens = new Map<string, number>();
  const requests: LocalStac['requests'] = [];
  const stalled: ServerResponse[] = [];
  let base = '';

  const server = createServer((req, res) => {
    void readJsonBody(req).then((body) => {
      const url = new URL(req.url ?? '/', base);
      requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, body });
      route(req, res, url, body as Record<string, unknown> | null);
    });
  });

  function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Record<string, unknown> | null,
  ): void {
    const m = /^\/mode\/([a-z0-9-]+)(\/.*)$/.exec(url.pathname);
    const mode = (m?.[1] ?? 'ok') as CatalogueMode;
    const path = m ? m[2] : url.pathname;
    const root = m ? `${base}/mode/${mode}` : base;
    if (path === '/' || path === '') return json(res, 200, landing(root, mode));
    if (path === '/conformance') return json(res, 200, { conformsTo: CONFORMANCE });
    if (path === '/search') {
      if (mode === 'http400')
        return json(res, 400, { code: 'BadRequest', description: 'collection "nope" not found' });
      if (mode === 'http500') return json(res, 500, { code: 'ServerError', description: 'database down' });
      if (mode === 'badjson')
        return void res.writeHead(200, { 'content-type': 'application/geo+json' }).end('{"type":');
      if (mode === 'stall') return void stalled.push(res);
      if (mode === 'not-items')
        return json(res, 200, { type: 'Catalog', id: 'x', description: 'x', links: [] });
      return search(req, res, url, body, root);
    }
    const item = /^\/items\/([^/]+)$/.exec(path);
    if (item) {
      const scene = scenes.find((s) => s.id === decodeURIComponent(item[1]));
      return scene
        ? json(res, 200, itemOf(scene, root))
        : json(res, 404, { code: 'NotFound', description: 'no item' });
    }
    const sas = /^\/api\/sas\/v1\/token\/([^/]+)\/([^/]+)$/.exec(path);
    if (sas) return issueToken(res, decodeURIComponent(sas[1]), decodeURIComponent(sas[2]));
    if (signed) {
      const prefix = `/blob/${signed.account}/${signed.container}`;
      if (!path.startsWith(`${prefix}/`)) return storageRefusal(res, 404, 'ResourceNotFound');
      if (!validToken(url)) return storageRefusal(res, 403, 'AuthenticationFailed');
      return serveAsset(req, res, path.slice(prefix.length));
    }
    serveAsset(req, res, path);
  }

  function issueToken(res: ServerResponse, account: string, container: string): void {
    if (!signed || account !== signed.account || container !== signed.container)
      return json(res, 404, { detail: `no storage ${account}/${container}` });
    const expiresAt = Date.now() + (signed.tokenLifetimeMs ?? 3_600_000);
    const sig = randomBytes(12).toString('base64url');
    tokens.set(sig, expiresAt);
    const se = encodeURIComponent(new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'));
    json(res, 200, {
      'msft:expiry': new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'),
      token: `se=${se}&sp=rl&sv=2021-06-08&sr=c&sig=${sig}`,
    });
  }

  function validToken(url: URL): boolean {
    const expiresAt = tokens.get(url.searchParams.get('sig') ?? '');
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  function serveAsset(req: IncomingMessage, res: ServerResponse, path: string): void {
    const thumb = /^\/thumbs\/([^/]+)\.png$/.exec(path);
    if (thumb) return sendPng(res, 1, [160, 60]);
    const band = /^\/data\/([^/]+)\/([^/]+)\.tif$/.exec(path);
    if (band) {
      const scene = scenes.find((s) => s.id === decodeURIComponent(band[1]));
      const b = scene?.bands?.find((x) => x.key === decodeURIComponent(band[2]));
      return b ? serveRange(req, res, readFileSync(b.file)) : void res.writeHead(404).end('not found');
    }
    const data = /^\/data\/([^/]+)\.tif$/.exec(path);
    if (data) {
      const scene = scenes.find((s) => s.id === decodeURIComponent(data[1]) && s.file);
      return scene?.file
        ? serveRange(req, res, readFileSync(scene.file))
        : void res.writeHead(404).end('not found');
    }
    json(res, 404, { code: 'NotFound', description: `no ${path}` });
  }

  function search(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Record<string, unknown> | null,
    root: string,
  ) {
    const q =
      req.method === 'POST'
        ? (body ?? {})
        : {
            bbox: url.searchParams.get('bbox')?.split(',').map(Number),
            datetime: url.searchParams.get('datetime'),
            collections: url.searchParams.get('collections')?.split(','),
            token: url.searchParams.get('token'),
          };
    const bbox = q.bbox as number[] | undefined;
    const [from, to] = String(q.datetime ?? '../..').split('/');
    const collections = q.collections as string[] | undefined;
    const maxCloud = (q.query as { 'eo:cloud_cover'?: { lte?: number } } | undefined)?.['eo:cloud_cover']
      ?.lte;
    const matches = scenes.filter(
      (s) =>
        (!bbox ||
          (s.bbox[0] < bbox[2] && s.bbox[2] > bbox[0] && s.bbox[1] < bbox[3] && s.bbox[3] > bbox[1])) &&
        (!from || from === '..' || s.datetime >= from) &&
        (!to || to === '..' || s.datetime <= to) &&
        (!collections?.length || collections.includes(s.collection)) &&
        (maxCloud === undefined || (s.cloudCover ?? 0) <= maxCloud),
    );
    const start = Number(q.token ?? 0);
    const page = matches.slice(start, start + pageSize);
    const links: Record<string, unknown>[] = [];
    if (start + pageSize < matches.length) {
      const token = String(start + pageSize);
      links.push(
        req.method === 'POST'
          ? {
              rel: 'next',
              href: `${root}/search`,
              method: 'POST',
              body: { token },
              merge: true,
              type: 'application/geo+json',
            }
          : { rel: 'next', href: `${root}/search?${withToken(url, token)}`, type: 'application/geo+json' },
      );
    }
    json(res, 200, {
      type: 'FeatureCollection',
      features: page.map((s) => itemOf(s, root)),
      links,
      numberMatched: matches.length,
      numberReturned: page.length,
    });
  }

  function itemOf(s: LocalScene, root: string) {
    const [w, so, e, n] = s.bbox;
    const bands = [
      { name: 'B04', 'eo:common_name': 'red' },
      { name: 'B03', 'eo:common_name': 'green' },
      { name: 'B02', 'eo:common_name': 'blue' },
    ];
    const image = `${assetBase()}/data/${encodeURIComponent(s.id)}.tif`;
    const cog = 'image/tiff; application=geotiff; profile=cloud-optimized';
    const assets: Record<string, unknown> =
      s.layout === 'per-band' && s.bands
        ? Object.fromEntries(
            s.bands.map((b) => [
              b.key,
              {
                href: `${assetBase()}/data/${encodeURIComponent(s.id)}/${encodeURIComponent(b.key)}.tif`,
                type: cog,
                roles: ['data'],
                gsd: b.resolutionM,
                'eo:bands': [{ name: b.name, common_name: b.commonName }],
                'raster:bands': [
                  {
                    spatial_resolution: b.resolutionM,
                    ...(b.nodata !== undefined ? { nodata: b.nodata } : {}),
                    ...(b.scale !== undefined ? { scale: b.scale } : {}),
                    ...(b.offset !== undefined ? { offset: b.offset } : {}),
                  },
                ],
              },
            ]),
          )
        : s.layout === 'per-band'
          ? Object.fromEntries(
              bands.map((b) => [
                b.name,
                {
                  href: image,
                  type: 'image/tiff; application=geotiff; profile=cloud-optimized',
                  roles: ['data'],
                  'eo:bands': [b],
                },
              ]),
            )
          : {
              visual: {
                href: image,
                type: 'image/tiff; application=geotiff; profile=cloud-optimized',
                title: 'True colour image',
                roles: ['visual'],
                'eo:bands': bands,
              },
            };
    assets.thumbnail = {
      href: `${assetBase()}/thumbs/${encodeURIComponent(s.id)}.png`,
      type: 'image/png',
      roles: ['thumbnail'],
    };
    return {
      type: 'Feature',
      stac_version: STAC_VERSION,
      stac_extensions: [
        'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
        'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
      ],
      id: s.id,
      collection: s.collection,
      bbox: s.bbox,
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [w, so],
            [e, so],
            [e, n],
            [w, n],
            [w, so],
          ],
        ],
      },
      properties: {
        datetime: s.datetime,
        ...(s.cloudCover !== undefined ? { 'eo:cloud_cover': s.cloudCover } : {}),
        ...(s.platform ? { platform: s.platform } : {}),
        ...(s.gsd ? { gsd: s.gsd } : {}),
      },
      links: [
        { rel: 'self', href: `${root}/items/${encodeURIComponent(s.id)}`, type: 'application/geo+json' },
        { rel: 'root', href: `${root}/`, type: 'application/json' },
      ],
      assets,
    };
  }

  function assetBase(): string {
    return signed ? `${base}/blob/${signed.account}/${signed.container}` : base;
  }

  function landing(root: string, mode: CatalogueMode) {
    const links: Record<string, unknown>[] = [
      { rel: 'self', href: `${root}/`, type: 'application/json' },
      { rel: 'root', href: `${root}/`, type: 'application/json' },
      { rel: 'conformance', href: `${root}/conformance`, type: 'application/json' },
    ];
    if (mode !== 'static') {
      links.push({ rel: 'search', href: `${root}/search`, type: 'application/geo+json', method: 'GET' });
      if (mode !== 'get-only') {
        links.push({ rel: 'search', href: `${root}/search`, type: 'application/geo+json', method: 'POST' });
      }
    }
    return {
      type: 'Catalog',
      stac_version: STAC_VERSION,
      id: 'changemap-test-catalogue',
      title: 'ChangeMap test catalogue',
      description: 'A STAC API on loopback for tests',
      conformsTo: mode === 'static' ? [] : CONFORMANCE,
      links,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    urlFor: (mode) => (mode === 'ok' ? `${base}/` : `${base}/mode/${mode}/`),
    requests,
    sasApi: `${base}/api/sas/v1`,
    storageEmulator: `${base}/blob/`,
    expireTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        stalled.forEach((r) => r.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  sendJson(res, status, value, 'application/geo+json');
}

function withToken(url: URL, token: string): string {
  const params = new URLSearchParams(url.searchParams);
  params.set('token', token);
  return params.toString();
}

/** Azure Blob storage's error answer (an XML document with a code). */
function storageRefusal(res: ServerResponse, status: number, code: string): void {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;
  res
    .writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) })
    .end(xml);
}
