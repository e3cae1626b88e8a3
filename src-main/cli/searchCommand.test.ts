// `changemap search` and `run --before-item/--after-item` against a loopback STAC API (issue 16).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stacSearchRequest } from '../ipc/stacSchemas';
import { ProjectStore } from '../services/project/projectStore';
import { imagerySources } from '../services/stac/imagerySources';
import { searchStac } from '../services/stac/stacSearch';
import {
  SAMPLE_BEFORE_ID,
  SAMPLE_NIR_ONLY_ID,
  startSampleCatalogue,
  type SampleCatalogue,
} from '../services/stac/testing/sampleCatalogue';
import { EXIT } from './exitCodes';
import { runCliAsync } from './testing/cliChild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-search-'));
let catalogue: SampleCatalogue;

beforeAll(async () => {
  catalogue = await startSampleCatalogue(path.join(dir, 'scene'), 600);
  // Generating and writing the scene and its band COGs takes seconds on a busy machine.
}, 60_000);
afterAll(async () => {
  await catalogue.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The command line as a child process; asynchronous, since the catalogue answers from this process. */
const changemap = (...args: string[]) =>
  runCliAsync(args, { userData: path.join(dir, 'user'), timeout: 120_000 });

/** `changemap search` of the sample scene's area in `catalogue`, between the days of `datetime`, with `more` flags. */
const search = (stac: string, datetime: string, ...more: string[]) =>
  changemap('search', '--stac', stac, '--bbox', catalogue.bbox.join(','), '--datetime', datetime, ...more);

describe('changemap search', () => {
  it('prints the same scenes as the panel’s search for the same query', async () => {
    const cli = await search(catalogue.stac.url, '2019-01-01/2021-12-31', '--max-cloud', '20', '--json');
    expect(cli.status, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as { scenes: { id: string }[] };
    const panel = await searchStac(
      stacSearchRequest.parse({
        apiUrl: catalogue.stac.url,
        bbox: catalogue.bbox,
        from: '2019-01-01',
        to: '2021-12-31',
        maxCloudCover: 20,
      }),
    );
    expect(printed.scenes.map((s) => s.id)).toEqual(panel.scenes.map((s) => s.id));
    expect(printed.scenes.map((s) => s.id)).toContain(SAMPLE_BEFORE_ID);
    expect(printed.scenes.map((s) => s.id)).not.toContain('SAMPLE_2019-06-20_cloudy');
  });

  it('writes a line per scene: date, cloud cover, resolution, collection, id, item and image', async () => {
    const cli = await search(catalogue.stac.url, '2021-06-01/2021-06-30', '--collection', 'sample-aerial');
    expect(cli.status, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^2021-06-01\s+4%\s+3 m\s+sample-aerial\s+SAMPLE_2021-06-01\s+http:\S+\/items\/\S+\s+http:\S+\.tif$/,
    );
    // A scene with one file per band is listed with the bands it can stack.
    expect(lines[2]).toMatch(/SAMPLE_2021-06-20_bands .*\(bands: red,green,blue,nir08\)$/);
    expect(cli.stderr).toMatch(/^3 scenes\n$/);
  });

  it('a catalogue failure is one line with its code, no stack trace', async () => {
    const cli = await search(catalogue.stac.urlFor('http500'), '2021-06-01/2021-06-30');
    expect(cli.status).toBe(EXIT.failed);
    expect(cli.stderr).toMatch(
      /^changemap: The catalogue at .* failed to answer \(HTTP 500\); try again later\. \[STAC_SERVER_ERROR\]\n$/,
    );
    const bad = await search('ftp://x', '2021-06-01/2021-06-30');
    expect(bad.status).toBe(EXIT.refused);
    expect(bad.stderr).toMatch(/http:\/\/ or https:\/\/ URL\. \[VALIDATION\]/);
  });
});

const SAMPLE_BANDS_ID = 'SAMPLE_2021-06-20_bands';

describe('changemap run --before-item --after-item', () => {
  it('--bands takes STAC common names and only with items', async () => {
    const bad = await changemap(
      'run',
      '--project',
      path.join(dir, 'b.gpkg'),
      '--before-item',
      'http://x/a',
      '--after-item',
      'http://x/b',
      '--bands',
      'Red,,blue',
    );
    expect(bad.status).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/Give 1 to 8 bands by STAC common name/);
    const alone = await changemap(
      'run',
      '--project',
      path.join(dir, 'b.gpkg'),
      '--before',
      'a.tif',
      '--after',
      'b.tif',
      '--bands',
      'red,green,blue',
    );
    expect(alone.status).toBe(EXIT.usage);
    expect(alone.stderr).toMatch(/--bands stacks the bands of STAC items/);
  });

  it('runs on two catalogue items by reference (one stacked from its band COGs) and records where they came from', async () => {
    const project = path.join(dir, 'items.gpkg');
    const item = (id: string) => `${catalogue.stac.url}items/${id}`;
    const cli = await changemap(
      'run',
      '--project',
      project,
      '--before-item',
      item(SAMPLE_BEFORE_ID),
      '--after-item',
      item(SAMPLE_BANDS_ID),
      '--json',
    );
    expect(cli.status, cli.stderr + cli.stdout.slice(-2000)).toBe(0);
    const events = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; regionCount?: number });
    expect(events.some((e) => e.type === 'run:done')).toBe(true);
    const store = ProjectStore.open(project, { readOnly: true });
    try {
      const sources = imagerySources(store);
      expect(
        Object.values(sources)
          .map((s) => s.itemId)
          .sort(),
      ).toEqual([SAMPLE_BEFORE_ID, SAMPLE_BANDS_ID]);
      // The visual image by its address; the per-band scene (no visual asset) as red, green, blue stacked by a VRT
      // in the project's data folder that names the band COGs' addresses.
      const [visual, stack] = [SAMPLE_BEFORE_ID, SAMPLE_BANDS_ID].map((id) =>
        Object.entries(sources).find(([, s]) => s.itemId === id)!,
      );
      expect(visual[0].startsWith('http://127.0.0.1:')).toBe(true);
      expect(stack[0]).toMatch(/stacks[\\/]sample-aerial[\\/]SAMPLE_2021-06-20_bands-red-green-blue\.vrt$/);
      expect(stack[1].assetKey).toBe('red+green+blue');
      expect(stack[1].bands?.map((b) => b.commonName)).toEqual(['red', 'green', 'blue']);
      expect(stack[1].bands?.every((b) => b.href.startsWith('http://127.0.0.1:'))).toBe(true);
      const regions = store.db.prepare('SELECT COUNT(*) AS n FROM change_regions').get() as { n: number };
      expect(regions.n).toBeGreaterThan(0);
    } finally {
      store.close();
    }
    // A whole run in a child process (started through tsx when the CLI bundle is older than the sources).
  }, 150_000);

  it('an item without a usable image is refused before anything is written', async () => {
    const project = path.join(dir, 'refused.gpkg');
    const cli = await changemap(
      'run',
      '--project',
      project,
      '--before-item',
      `${catalogue.stac.url}items/${SAMPLE_BEFORE_ID}`,
      '--after-item',
      `${catalogue.stac.url}items/${SAMPLE_NIR_ONLY_ID}`,
    );
    expect(cli.status).toBe(EXIT.refused);
    expect(cli.stderr).toMatch(/no true-colour image and no red, green, blue band .*\[STAC_NO_IMAGE\]/);
    expect(fs.existsSync(project)).toBe(false);
  });
});
