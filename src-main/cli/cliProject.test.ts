// `changemap run / regions / export` as a user runs them (a child process), and what the app then finds in the
// project: issue 10 items 1 (regions by default, no empty export), 3 (a complete project), 11 (flags checked by the
// contract, a settable memory budget) and 13 (imagery over HTTP).
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utmGrid, writePlantedPair } from '../services/imagery/testing/fixtures';
import type { Results } from '../ipc/contract';
import { jsonLines, runCli, runCliAsync, tinyRunArgs, tinySyntheticRunArgs } from './testing/cliChild';
import { inAppSession, type ApiCall } from './testing/inAppSession';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-project-'));
const userData = path.join(dir, 'user');
const before = path.join(dir, 'before.tif');
const after = path.join(dir, 'after.tif');

const changemap = (...args: string[]) => runCli(args, { userData, timeout: 120_000 });
/** The same, without blocking this process (a server in this process answers the child). */
const changemapAsync = (...args: string[]) => runCliAsync(args, { userData });

/** Opens a project as the app does and calls its API. */
const inApp = <T>(project: string, use: (call: ApiCall) => Promise<T>): Promise<T> =>
  inAppSession(path.join(dir, 'app-user'), project, use);

beforeAll(() => writePlantedPair(before, after, utmGrid(384, 320, 500000, 5600000, 3)));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runArgs = (project: string, ...more: string[]) => tinyRunArgs(before, after, project, ...more);

describe('a project made on the command line', () => {
  it('gets its regions found and classified by default, and opens in the app complete: imagery, run, regions', async () => {
    const project = path.join(dir, 'complete.gpkg');
    const r = changemap(...runArgs(project, '--json'));
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    const regions = events.find((e) => e.type === 'regions:done') as unknown as Results['regions:compute'];
    expect(regions.regionCount).toBeGreaterThanOrEqual(2);
    // The one settings rule: the tiny card's threshold, the fallback's clean-up and minimum area.
    expect(regions.settings).toEqual({ threshold: 0.5, openingRadius: 0, closingRadius: 0, minAreaM2: 0 });

    await inApp(project, async (call) => {
      // As the app's window asks when it opens a project: the imagery and the automatic model choice at once.
      const [, imagery] = await Promise.all([call('models:choose', {}), call('imagery:get', {})]);
      expect(imagery.before?.uris).toEqual([before]);
      expect(imagery.after?.uris).toEqual([after]);
      expect(imagery.before?.crs.code).toBe('EPSG:32633');
      expect(imagery.preflight.filter((i) => i.severity === 'error')).toEqual([]);
      const runs = await call('run:list', {});
      expect(runs).toMatchObject([{ id: 1, status: 'done' }]);
      expect((await call('run:get', { runId: 1 })).regionSettings).toEqual(regions.settings);
      const page = await call('regions:list', { runId: 1 });
      expect(page.total).toBe(regions.regionCount);
      expect(page.items[0].fromClass).toBeTruthy();
    });

    const out = path.join(dir, 'complete.geojson');
    const exported = changemap('export', '--project', project, '--format', 'geojson', '--out', out);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(new RegExp(`Exported ${regions.regionCount} regions`));
  });

  it('with --no-regions has none, refuses an export of them (exit 3, no file) until changemap regions finds them', () => {
    const project = path.join(dir, 'later.gpkg');
    const r = changemap(...runArgs(project, '--no-regions'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/changemap regions --project/);

    const out = path.join(dir, 'later.geojson');
    const refused = changemap('export', '--project', project, '--format', 'geojson', '--out', out);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/no regions yet.*changemap regions --project .* --run 1/s);
    expect(refused.stdout).not.toMatch(/Exported/);
    expect(fs.existsSync(out)).toBe(false);

    const found = changemap(
      'regions',
      '--project',
      project,
      '--threshold',
      '0.6',
      '--min-area',
      '50',
      '--json',
    );
    expect(found.status, found.stderr).toBe(0);
    const done = jsonLines(found.stdout).find(
      (e) => e.type === 'regions:done',
    ) as unknown as Results['regions:compute'];
    expect(done.settings).toEqual({ threshold: 0.6, openingRadius: 0, closingRadius: 0, minAreaM2: 50 });
    const exported = changemap('export', '--project', project, '--format', 'geojson', '--out', out, '--json');
    expect(exported.status, exported.stderr).toBe(0);
    expect(jsonLines(exported.stdout)[0]).toMatchObject({ featureCount: done.regionCount });
  });
});

describe('flags checked by the contract', () => {
  it('refuses values outside the contract with its message, exit 2, before touching the project', () => {
    const project = path.join(dir, 'never.gpkg');
    const chunk = changemap(...runArgs(project, '--chunk-size', '99999'));
    expect(chunk.status).toBe(2);
    expect(chunk.stderr).toMatch(/--chunk-size.*16384/);
    const budget = changemap(...runArgs(project, '--memory-budget', '64'));
    expect(budget.status).toBe(2);
    expect(budget.stderr).toMatch(/--memory-budget.*128/);
    const threshold = changemap(...runArgs(project, '--threshold', '1.5'));
    expect(threshold.status).toBe(2);
    expect(fs.existsSync(project)).toBe(false);
  });

  it('sizes chunks from --memory-budget', () => {
    const chunksWith = (...budget: string[]) => {
      const project = path.join(dir, `budget-${budget.join('') || 'default'}.gpkg`);
      const r = changemap(...tinySyntheticRunArgs('1000x300', project, '--no-regions', '--json', ...budget));
      expect(r.status, r.stderr).toBe(0);
      return (jsonLines(r.stdout)[0] as unknown as { chunks: unknown[] }).chunks.length;
    };
    expect(chunksWith()).toBe(1);
    expect(chunksWith('--memory-budget', '128')).toBeGreaterThan(1);
  });
});

describe('imagery over HTTP', () => {
  let server: Server;
  let base = '';
  const served = new Set<string>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const file = { '/before.tif': before, '/after.tif': after }[req.url ?? ''];
      if (!file) return void res.writeHead(404).end('not found');
      served.add(req.url!);
      const bytes = fs.readFileSync(file);
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (!m) return void res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), bytes.length - 1);
      res.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${bytes.length}`,
        'content-length': end - start + 1,
      });
      res.end(bytes.subarray(start, end + 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('reads --before/--after URLs as Cloud-Optimized GeoTIFFs, like the app', async () => {
    const project = path.join(dir, 'http.gpkg');
    const r = await changemapAsync(
      ...tinyRunArgs(`${base}/before.tif`, `${base}/after.tif`, project, '--no-regions'),
    );
    expect(r.status, r.stderr).toBe(0);
    expect([...served].sort()).toEqual(['/after.tif', '/before.tif']);
    await inApp(project, async (call) => {
      expect((await call('imagery:get', {})).before?.uris).toEqual([`${base}/before.tif`]);
    });
  });
});
