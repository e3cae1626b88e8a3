// One settings rule everywhere (issue 10 item 2): the same run settings through the app's API, the command line and
// the demo give the same regions, the same change mask and the same files in every export format. The model card
// here has its own threshold and clean-up, so a path that decided its own settings (0.5, the demo's opening 1 and
// 300 m², the store's 100 m²) would show up as a difference.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thresholdProbability } from '../core/exportFormats/changeMask';
import type { RegionRow } from '../ipc/contract';
import { openGeoTiff } from '../services/imagery/geotiffSource';
import type { AppSession } from '../services/session';
import { main } from './main';
import { runCli } from './testing/cliChild';
import { TINY_CHANGE_CARD } from '../services/inference/testing/testModels';
import { inAppSession, type ApiCall } from './testing/inAppSession';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-one-rule-'));
const SETTINGS = { threshold: 0.35, openingRadius: 1, closingRadius: 0, minAreaM2: 100 };
const card = path.join(dir, 'model', 'rule-test.card.json');

function changemap(...args: string[]) {
  const r = runCli(args, { userData: path.join(dir, 'user'), timeout: 180_000 });
  expect(r.status, `changemap ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

interface Made {
  name: string;
  project: string;
}
const made: Made[] = [];
let files: { before: string[]; after: string[] };

const withProject = <T>(
  project: string,
  use: (call: ApiCall, session: AppSession) => Promise<T>,
): Promise<T> => inAppSession(path.join(dir, 'app-user'), project, use);

beforeAll(async () => {
  // The tiny test model under a card of its own: threshold and region clean-up differ from every default.
  fs.mkdirSync(path.dirname(card), { recursive: true });
  const tiny = JSON.parse(fs.readFileSync(TINY_CHANGE_CARD, 'utf8')) as Record<string, unknown>;
  fs.copyFileSync(
    path.join(root, 'models/test/tiny-change.onnx'),
    path.join(dir, 'model', 'tiny-change.onnx'),
  );
  fs.writeFileSync(
    card,
    JSON.stringify({
      ...tiny,
      name: 'rule-test',
      threshold: SETTINGS.threshold,
      regions: { openingRadius: SETTINGS.openingRadius, minAreaM2: SETTINGS.minAreaM2 },
    }),
  );

  // The demo, on a small sample scene.
  const demoDir = path.join(dir, 'demo');
  changemap('demo', '--out', demoDir, '--model', card, '--provider', 'cpu', '--scene-size', '400');
  made.push({ name: 'demo', project: path.join(demoDir, 'ChangeMap sample.gpkg') });
  files = await withProject(made[0].project, async (call) => {
    const imagery = await call('imagery:get', {});
    return { before: imagery.before!.uris, after: imagery.after!.uris };
  });

  // The app's API on the same imagery: regions come when the run finishes.
  const appProject = path.join(dir, 'app.gpkg');
  await withProject(appProject, async (call, session) => {
    await call('project:create', { path: appProject });
    await call('imagery:setFiles', { role: 'before', uris: files.before });
    await call('imagery:setFiles', { role: 'after', uris: files.after });
    const found = new Promise<void>((resolve) =>
      session.events.subscribe((event) => event === 'regions:changed' && resolve()),
    );
    await call('run:start', { model: card, provider: 'cpu' });
    await found;
  });
  made.push({ name: 'app', project: appProject });

  // The command line on the same imagery.
  const cliProject = path.join(dir, 'cli.gpkg');
  changemap(
    'run',
    '--before',
    ...files.before,
    '--after',
    ...files.after,
    '--project',
    cliProject,
    '--model',
    card,
    '--provider',
    'cpu',
  );
  made.push({ name: 'cli', project: cliProject });
}, 400_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A region as every path must agree on it (ids included: each project's first run finds them in one order). */
const comparable = (r: RegionRow) => ({ ...r, areaM2: r.areaM2.toFixed(3), probMean: r.probMean.toFixed(6) });

describe('one region-settings rule through the app, the command line and the demo', () => {
  it("uses the model card's settings everywhere and finds the same regions", async () => {
    const seen: ReturnType<typeof comparable>[][] = [];
    for (const { project } of made) {
      await withProject(project, async (call) => {
        expect((await call('run:get', { runId: 1 })).regionSettings).toEqual(SETTINGS);
        const page = await call('regions:list', { runId: 1, limit: 1000, sort: 'area' });
        expect(page.total).toBeGreaterThan(0);
        seen.push(page.items.map(comparable));
      });
    }
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  it('exports the same change mask, thresholded at the rule’s threshold, from every path', async () => {
    const masks: Buffer[] = [];
    for (const { name, project } of made) {
      const out = path.join(dir, `${name}-mask.tif`);
      if (name === 'app')
        await withProject(project, (call) => call('export:raster', { runId: 1, kind: 'mask', out }));
      else changemap('export', '--project', project, '--format', 'geotiff', '--raster', 'mask', '--out', out);
      masks.push(fs.readFileSync(out));
    }
    expect(masks[1].equals(masks[0])).toBe(true);
    expect(masks[2].equals(masks[0])).toBe(true);

    // ... and it is the run's probability at 0.35, not at any other default.
    const probability = await openGeoTiff(path.join(dir, 'cli.data', 'runs', '1', 'probability.tif'));
    const mask = await openGeoTiff(path.join(dir, 'cli-mask.tif'));
    try {
      const { width, height } = probability.metadata.grid;
      const window = { x: 0, y: 0, width, height };
      const p = await probability.readWindow(window, { bands: [0] });
      const expected = thresholdProbability(p.data, p.valid, SETTINGS.threshold).mask;
      const actual = (await mask.readWindow(window, { bands: [0] })).data;
      expect(Array.from(actual)).toEqual(Array.from(expected));
      const atHalf = thresholdProbability(p.data, p.valid, 0.5).mask;
      expect(Array.from(actual)).not.toEqual(Array.from(atHalf));
    } finally {
      await probability.close();
      await mask.close();
    }
  }, 120_000);

  it('writes the same regions in every export format from every path', async () => {
    const formats = [
      { format: 'geojson', ext: 'geojson' },
      { format: 'csv', ext: 'csv' },
      { format: 'shapefile', ext: 'zip' },
      { format: 'gpkg', ext: 'gpkg' },
    ] as const;
    for (const { format, ext } of formats) {
      const contents: string[] = [];
      for (const { name, project } of made) {
        // One file name in a folder per path: formats name their layer after the file.
        fs.mkdirSync(path.join(dir, name), { recursive: true });
        const out = path.join(dir, name, `regions.${ext}`);
        if (name === 'app')
          await withProject(project, (call) => call('export:regions', { runId: 1, format, out }));
        // The command line in this process (its flags, its session): faster than a child on a busy machine.
        else expect(await main(['export', '--project', project, '--format', format, '--out', out])).toBe(0);
        // Text formats byte for byte; the binary ones (a zip, a database with timestamps) as GDAL reads them.
        contents.push(
          format === 'geojson' || format === 'csv'
            ? fs.readFileSync(out, 'utf8')
            : execFileSync('ogrinfo', ['-ro', '-al', '-q', ext === 'zip' ? `/vsizip/${out}` : out], {
                encoding: 'utf8',
              }),
        );
      }
      expect(contents[0].length, format).toBeGreaterThan(100);
      expect(contents[1], `${format}: app vs demo`).toBe(contents[0]);
      expect(contents[2], `${format}: command line vs demo`).toBe(contents[0]);
    }
  }, 120_000);
});
