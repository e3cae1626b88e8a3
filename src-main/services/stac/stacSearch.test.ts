import { createServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stacSearchRequest, type StacSearchRequest } from '../../ipc/stacSchemas';
import { proxyAgentFromEnvironment } from './stacHttp';
import { searchStac } from './stacSearch';
import { startLocalStac, type LocalScene, type LocalStac } from './testing/localStacServer';

const AREA: [number, number, number, number] = [15.0, 48.0, 15.2, 48.2];
const scene = (id: string, day: string, extra: Partial<LocalScene> = {}): LocalScene => ({
  id,
  collection: 'sentinel-2-l2a',
  datetime: `${day}T10:00:00Z`,
  cloudCover: 5,
  bbox: [14.9, 47.9, 15.3, 48.3],
  file: null,
  platform: 'sentinel-2a',
  gsd: 10,
  ...extra,
});

const SCENES: LocalScene[] = [
  scene('S2A_2019_06_01', '2019-06-01'),
  scene('S2A_2019_06_11', '2019-06-11', { cloudCover: 80 }),
  scene('S2A_2019_06_21', '2019-06-21'),
  scene('S2A_2019_07_01', '2019-07-01'),
  scene('S2A_2019_07_11', '2019-07-11'),
  scene('S2A_2019_07_21', '2019-07-21', { cloudCover: undefined }),
  scene('S2A_2020_06_01', '2020-06-01'),
  scene('elsewhere', '2019-06-05', { bbox: [100, 10, 101, 11] }),
  scene('LC08_2019_06_15', '2019-06-15', { collection: 'landsat-c2-l2', layout: 'per-band' }),
];

let stac: LocalStac;
beforeAll(async () => {
  stac = await startLocalStac(SCENES, { pageSize: 2 });
});
afterAll(() => stac.close());

const query = (q: Partial<StacSearchRequest> = {}) =>
  stacSearchRequest.parse({ apiUrl: stac.url, bbox: AREA, from: '2019-06-01', to: '2019-07-31', ...q });

describe('STAC item search', () => {
  it('follows next links across pages (POST, merging the body) and keeps only scenes in the area and dates', async () => {
    const result = await searchStac(query({ collections: ['sentinel-2-l2a'] }));
    expect(result.method).toBe('POST');
    expect(result.pages).toBe(3);
    expect(result.truncated).toBe(false);
    expect(result.scenes.map((s) => s.id)).toEqual([
      'S2A_2019_06_01',
      'S2A_2019_06_11',
      'S2A_2019_06_21',
      'S2A_2019_07_01',
      'S2A_2019_07_11',
      'S2A_2019_07_21',
    ]);
    // The second page was asked with the first page's query plus the token (merge: true).
    const posts = stac.requests.filter((r) => r.method === 'POST');
    expect(posts.at(-1)?.body).toMatchObject({ token: '4', collections: ['sentinel-2-l2a'], bbox: AREA });
  });

  it('reads what a planner needs of each scene', async () => {
    const { scenes } = await searchStac(query({ collections: ['sentinel-2-l2a'] }));
    const first = scenes[0];
    expect(first).toMatchObject({
      collection: 'sentinel-2-l2a',
      datetime: '2019-06-01T10:00:00.000Z',
      cloudCover: 5,
      gsdM: 10,
      platform: 'sentinel-2a',
      bbox: [14.9, 47.9, 15.3, 48.3],
      unusable: null,
    });
    expect(first.itemUrl).toBe(`${stac.url}items/S2A_2019_06_01`);
    expect(first.thumbnailUrl).toMatch(/\/thumbs\/S2A_2019_06_01\.png$/);
    expect(first.asset).toMatchObject({ key: 'visual', commonNames: ['red', 'green', 'blue'] });
    expect(first.asset?.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/data\/S2A_2019_06_01\.tif$/);
    expect(first.footprint[0]).toHaveLength(5);
  });

  it('asks the server to filter cloud cover and checks it again (scenes that do not say are kept)', async () => {
    const { scenes } = await searchStac(query({ collections: ['sentinel-2-l2a'], maxCloudCover: 20 }));
    expect(scenes.map((s) => s.id)).not.toContain('S2A_2019_06_11');
    expect(scenes.map((s) => s.id)).toContain('S2A_2019_07_21');
    const post = stac.requests.filter((r) => r.method === 'POST').at(-1);
    expect(post?.body).toMatchObject({ query: { 'eo:cloud_cover': { lte: 20 } } });
  });

  it('stops at the limit and says the list is truncated', async () => {
    const result = await searchStac(query({ limit: 3 }));
    expect(result.scenes).toHaveLength(3);
    expect(result.truncated).toBe(true);
  });

  it('uses GET where the catalogue offers only GET, paging through next hrefs', async () => {
    const result = await searchStac(
      query({ apiUrl: stac.urlFor('get-only'), collections: ['sentinel-2-l2a'] }),
    );
    expect(result.method).toBe('GET');
    expect(result.scenes).toHaveLength(6);
    expect(stac.requests.some((r) => r.method === 'GET' && r.path.includes('token=4'))).toBe(true);
  });

  it('a scene with one file per band is usable by stacking its bands, which it lists by common name', async () => {
    const { scenes } = await searchStac(query({ collections: ['landsat-c2-l2'] }));
    expect(scenes).toHaveLength(1);
    expect(scenes[0].asset).toBeNull();
    expect(scenes[0].unusable).toBeNull();
    expect(scenes[0].bands?.map((b) => [b.key, b.commonName])).toEqual([
      ['B04', 'red'],
      ['B03', 'green'],
      ['B02', 'blue'],
    ]);
  });
});

describe('a catalogue that misbehaves ends in one sentence with a code', () => {
  const cases: [Parameters<LocalStac['urlFor']>[0], string, RegExp][] = [
    ['http400', 'STAC_REQUEST_REFUSED', /refused the request \(HTTP 400: collection "nope" not found\)/],
    ['http500', 'STAC_SERVER_ERROR', /failed to answer \(HTTP 500\); try again later/],
    ['badjson', 'STAC_BAD_RESPONSE', /did not answer with JSON/],
    ['static', 'STAC_NOT_AN_API', /no item search/],
    ['not-items', 'STAC_BAD_RESPONSE', /something other than a list of items/],
  ];
  it.each(cases)('%s', async (mode, code, message) => {
    const error = await searchStac(query({ apiUrl: stac.urlFor(mode) })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.split('. ').length).toBeLessThanOrEqual(2);
  });

  it('a stalled search times out', async () => {
    const error = await searchStac(query({ apiUrl: stac.urlFor('stall') }), { timeoutMs: 300 }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'STAC_TIMEOUT' });
    expect((error as Error).message).toMatch(/did not answer within 0 s|did not answer within/);
  });

  it('a search the user cancels stops at once', async () => {
    const controller = new AbortController();
    const pending = searchStac(query({ apiUrl: stac.urlFor('stall') }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'STAC_CANCELLED' });
  });

  it('an address where nothing listens is unreachable', async () => {
    const error = await searchStac(query({ apiUrl: 'http://127.0.0.1:9/' })).catch((e) => e);
    expect(error).toMatchObject({ code: 'STAC_UNREACHABLE' });
  });

  it('the request schema refuses other schemes and upside-down areas', () => {
    expect(() =>
      stacSearchRequest.parse({
        apiUrl: 'file:///etc/passwd',
        bbox: AREA,
        from: '2019-01-01',
        to: '2019-02-01',
      }),
    ).toThrow(/http/);
    expect(() =>
      stacSearchRequest.parse({
        apiUrl: 'https://x/',
        bbox: [2, 0, 1, 1],
        from: '2019-01-01',
        to: '2019-02-01',
      }),
    ).toThrow(/west < east/);
    expect(() =>
      stacSearchRequest.parse({ apiUrl: 'https://x/', bbox: AREA, from: '2019-03-01', to: '2019-02-01' }),
    ).toThrow(/start before/);
  });
});

describe('behind a proxy', () => {
  it('sends catalogue requests through the proxy the environment names', async () => {
    const tunnels: string[] = [];
    // A CONNECT proxy, as corporate proxies are: it records each tunnel and pipes the bytes through.
    const proxy = createServer();
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const { port } = proxy.address() as AddressInfo;
    const dispatcher = await proxyAgentFromEnvironment({
      HTTP_PROXY: `http://127.0.0.1:${port}`,
      NO_PROXY: '',
    });
    try {
      const result = await searchStac(query({ collections: ['sentinel-2-l2a'] }), { dispatcher });
      expect(result.scenes).toHaveLength(6);
      expect(tunnels.length).toBeGreaterThan(0);
      expect(tunnels[0]).toBe(new URL(stac.url).host);
      // NO_PROXY still wins for the hosts it names.
      tunnels.length = 0;
      const direct = await proxyAgentFromEnvironment({
        HTTP_PROXY: `http://127.0.0.1:${port}`,
        NO_PROXY: '127.0.0.1',
      });
      await searchStac(query({ collections: ['sentinel-2-l2a'] }), { dispatcher: direct });
      expect(tunnels).toHaveLength(0);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});
