// `changemap search --planet` against a loopback fake of Planet's Data API, the key in PL_API_KEY (issue 16).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stacSearchRequest } from '../ipc/stacSchemas';
import { searchPlanet } from '../services/planet/planetSearch';
import {
  PLANET_AFTER_ID,
  PLANET_BEFORE_ID,
  startSamplePlanet,
  type SamplePlanet,
} from '../services/planet/testing/samplePlanet';
import { EXIT } from './exitCodes';
import { runCliAsync } from './testing/cliChild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-planet-'));
let sample: SamplePlanet;

beforeAll(async () => {
  sample = await startSamplePlanet(path.join(dir, 'scene'));
});
afterAll(async () => {
  await sample.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The command line as a child process, without this process's PL_API_KEY unless `env` gives one. */
const changemap = (env: Record<string, string>, ...args: string[]) =>
  runCliAsync(args, {
    userData: path.join(dir, 'user'),
    timeout: 120_000,
    env: { PL_API_KEY: undefined, CHANGEMAP_PLANET_API_URL: sample.planet.url, ...env },
  });

const args = () => [
  'search',
  '--planet',
  '--bbox',
  sample.bbox.join(','),
  '--datetime',
  '2019-01-01/2021-12-31',
];

describe('changemap search --planet', () => {
  it('prints the same scenes as the panel’s Planet search, reading the key from PL_API_KEY', async () => {
    const cli = await changemap({ PL_API_KEY: sample.planet.key }, ...args(), '--max-cloud', '20', '--json');
    expect(cli.status, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as { scenes: { id: string }[] };
    const panel = await searchPlanet(
      stacSearchRequest.parse({
        apiUrl: sample.planet.url,
        bbox: sample.bbox,
        from: '2019-01-01',
        to: '2021-12-31',
        maxCloudCover: 20,
      }),
      sample.planet.key,
      { env: { CHANGEMAP_PLANET_API_URL: sample.planet.url } },
    );
    expect(printed.scenes.map((s) => s.id)).toEqual(panel.scenes.map((s) => s.id));
    expect(printed.scenes.map((s) => s.id)).toEqual([
      PLANET_BEFORE_ID,
      PLANET_AFTER_ID,
      '20210610_103000_locked',
    ]);
  });

  it('writes a line per scene, for the item type asked', async () => {
    const cli = await changemap({ PL_API_KEY: sample.planet.key }, ...args(), '--item-type', 'PSScene');
    expect(cli.status, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^2019-06-01\s+2%\s+3 m\s+PSScene\s+20190601_103000_0f4a\s+http:\S+\s+http:\S+\/assets\/$/,
    );
    expect(lines[3]).toMatch(/unusable: Your Planet account may not download/);
    const none = await changemap(
      { PL_API_KEY: sample.planet.key },
      ...args(),
      '--item-type',
      'SkySatCollect',
    );
    expect(none.stderr).toMatch(/^0 scenes\n$/);
  });

  it('without a key, or with a refused one, says so in one line with its code', async () => {
    const missing = await changemap({}, ...args());
    expect(missing.status).toBe(EXIT.refused);
    expect(missing.stderr).toMatch(
      /^changemap: Planet needs your API key: set PL_API_KEY .* \[PLANET_NO_KEY\]\n$/,
    );
    const refused = await changemap({ PL_API_KEY: 'PLAKnot-the-key-0123456789abcdef' }, ...args());
    expect(refused.status).toBe(EXIT.failed);
    expect(refused.stderr).toMatch(/^changemap: Planet refused your API key .*\[PLANET_KEY_REFUSED\]\n$/);
    const both = await changemap({}, ...args(), '--stac', 'https://example.org/stac');
    expect(both.status).toBe(EXIT.refused);
    expect(both.stderr).toMatch(/either --stac URL or --planet/);
  });
});
