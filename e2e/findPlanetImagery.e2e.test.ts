// Issue 16, Planet: the user's API key, a search of Planet's Data API in the same "Find imagery" panel, and picked
// scenes prepared (activated) by Planet and downloaded into the project. A fake Planet Data API on loopback stands in
// for api.planet.com (the tests cannot reach the internet, and use no real key); the browser host's services find it
// through CHANGEMAP_PLANET_API_URL.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../src-main/services/project/projectStore';
import { imagerySources } from '../src-main/services/stac/imagerySources';
import {
  PLANET_AFTER_ID,
  PLANET_BEFORE_ID,
  startSamplePlanet,
  type SamplePlanet,
} from '../src-main/services/planet/testing/samplePlanet';
import { ChangeMapApp } from './support/changeMapApp';
import { fillSceneSearch, listedSceneIds, setEnv } from './support/findImagery';
import { Workbench } from './support/workbench';

describe('Find imagery with Planet', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let sample: SamplePlanet;
  let projectFile: string;
  let restoreEnv = () => {};

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    sample = await startSamplePlanet(path.join(app.workDir, 'scene'), 600);
    // The services run in this process (the browser host): they read these at each request.
    restoreEnv = setEnv({
      CHANGEMAP_PLANET_API_URL: sample.planet.url,
      CHANGEMAP_PLANET_POLL_MS: '20',
      PL_API_KEY: undefined,
    });
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    projectFile = await bench.newProject('From Planet');
    await bench.byTestId('panel-find-imagery').getByRole('button').first().click();
  });
  afterAll(async () => {
    await app?.dispose();
    await sample?.close();
    restoreEnv();
  });

  it('asks for the key where Planet is chosen, says where it is kept, and never shows it again', async () => {
    await bench.byTestId('stac-catalogue').selectOption(sample.planet.url);
    expect(await bench.byTestId('stac-collection').inputValue()).toBe('PSScene');
    const keyField = bench.byTestId('planet-key');
    expect(await keyField.getAttribute('type')).toBe('password');
    // The browser host has no OS secure storage: the key is kept for the session only, and the panel says so.
    expect(await bench.byTestId('planet-key-note').textContent()).toMatch(
      /kept in memory until ChangeMap stops/,
    );
    await keyField.fill(sample.planet.key);
    await app.screenshot('find-imagery-planet-key');
    await bench.expectSignal('planet:keySaved', () => bench.byTestId('planet-save-key').click());
    await bench.byTestId('planet-key-set').waitFor();
    expect(await bench.page.content()).not.toContain(sample.planet.key);
  });

  it('searches Planet, lists the scenes per date with thumbnails and draws their footprints', async () => {
    await fillSceneSearch(bench, { bbox: sample.bbox });
    const rendered = await app.signalCount('map:rendered');
    await bench.expectSignal('stac:thumbnails', () => bench.byTestId('stac-search').click());
    // The cloudy 2019 scene is left out by the cloud-cover limit.
    expect(await listedSceneIds(bench, 'before')).toEqual([PLANET_BEFORE_ID]);
    expect(await listedSceneIds(bench, 'after')).toEqual([PLANET_AFTER_ID, '20210610_103000_locked']);
    expect(await bench.byTestId('stac-thumb').count()).toBe(3);
    const locked = bench.page.locator('[data-id="20210610_103000_locked"]');
    expect(await locked.getByTestId('stac-pick').isDisabled()).toBe(true);
    expect(await locked.textContent()).toMatch(/may not download/);
    // Every thumbnail request carried the key (the services fetch them); the page only got the pictures.
    const thumbs = sample.planet.requests.filter((r) => r.path.startsWith('/thumb/'));
    expect(thumbs.length).toBe(3);
    expect(thumbs.every((r) => r.authorized)).toBe(true);
    await app.waitForSignal('map:rendered', rendered + 1);
    await app.screenshot('find-imagery-planet-results');
  });

  it('picks one scene per date; Planet prepares them, they are downloaded, and the project records where each came from', async () => {
    await bench.page.locator(`[data-id="${PLANET_BEFORE_ID}"]`).getByTestId('stac-pick').check();
    await bench.page.locator(`[data-id="${PLANET_AFTER_ID}"]`).getByTestId('stac-pick').check();
    await bench.expectSignal('stac:used', () => bench.byTestId('stac-use').click());
    await bench.byTestId('preflight-ok').waitFor();
    await app.screenshot('find-imagery-planet-used');
    const store = ProjectStore.open(projectFile, { readOnly: true });
    try {
      const sources = Object.entries(imagerySources(store));
      expect(sources.map(([, s]) => s.itemId).sort()).toEqual([PLANET_BEFORE_ID, PLANET_AFTER_ID]);
      for (const [file, source] of sources) {
        expect(source).toMatchObject({
          kind: 'planet',
          catalogue: sample.planet.url,
          collection: 'PSScene',
          assetKey: 'ortho_visual',
        });
        expect(file).toContain(path.join('downloads', 'planet-PSScene'));
      }
      expect(sources.find(([, s]) => s.itemId === PLANET_AFTER_ID)?.[1].datetime).toBe(
        '2021-06-01T10:30:00.000Z',
      );
    } finally {
      store.close();
    }
    // Each asset was activated once.
    expect(sample.planet.requests.filter((r) => r.path.endsWith('/activate'))).toHaveLength(2);
  });

  it('Planet asking to slow down ends in one sentence and leaves the project as it was', async () => {
    const before = await bench.byTestId('panel-imagery').textContent();
    sample.planet.failSearch = 'http429';
    try {
      await bench.expectSignal('stac:failed', () => bench.byTestId('stac-search').click());
    } finally {
      sample.planet.failSearch = null;
    }
    const banner = bench.byTestId('panel-find-imagery').getByTestId('error-banner');
    expect(await banner.getAttribute('data-code')).toBe('PLANET_RATE_LIMITED');
    expect(await banner.textContent()).toMatch(/too many requests\); try again in 7 s/);
    expect(await bench.byTestId('panel-imagery').textContent()).toBe(before);
    await app.screenshot('find-imagery-planet-rate-limited');
  });
});
