// The whole pipeline through the API, as the renderer drives it: imagery -> run -> regions -> review -> export.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Events, RegionPage, RunSummary } from '../../ipc/contract';
import { ApiTestSession } from './testing/apiTestSession';
import { TINY_CHANGE_CARD } from '../inference/testing/testModels';

let api: ApiTestSession;
let pair: { before: string; after: string };

beforeAll(async () => {
  api = new ApiTestSession('cm-pipeline-');
  pair = await api.writePlantedPair();
});

afterAll(() => api.dispose());

describe('the pipeline through the API', () => {
  let run: RunSummary;

  it('runs the change model over the imagery and lands every chunk', async () => {
    await api.call('project:create', { path: path.join(api.dir, 'pipeline.gpkg') });
    await api.usePlantedPair(pair);
    const models = await api.call('models:list', {});
    expect(models.filter((m) => m.builtIn).map((m) => m.name)).toEqual(
      expect.arrayContaining(['changemap-change', 'changemap-landcover']),
    );
    const chunks: number[] = [];
    api.session.events.subscribe((event, payload) => {
      if (event === 'run:chunk' && (payload as Events['run:chunk']).state === 'done') chunks.push(1);
    });
    const done = api.nextEvent('run:done');
    const regionsFound = api.nextEvent('regions:changed');
    run = await api.call('run:start', { model: TINY_CHANGE_CARD, provider: 'cpu', chunkSize: 256 });
    expect(run.status).toBe('running');
    const finished = await done;
    // Regions appear when the run finishes, without "Find regions": settings by the one rule (the tiny card's
    // threshold 0.5, the fallback's clean-up and minimum area).
    expect(await regionsFound).toMatchObject({ runId: run.id, regionCount: expect.any(Number) });
    expect((await api.call('regions:list', { runId: run.id })).total).toBeGreaterThanOrEqual(2);
    expect(finished).toMatchObject({ id: run.id, status: 'done', providerUsed: 'cpu' });
    const detail = await api.call('run:get', { runId: run.id });
    expect(detail.chunks.length).toBe(chunks.length);
    expect(detail.chunks.every((c) => c.state === 'done' && c.ring.length > 4)).toBe(true);
    expect(detail.extent?.[0]).toBeGreaterThan(14); // UTM 33N near 15° E
  });

  it('finds the planted changes as regions, largest first, with land cover', async () => {
    expect((await api.call('run:get', { runId: run.id })).regionSettings).toEqual({
      threshold: 0.5,
      openingRadius: 0,
      closingRadius: 0,
      minAreaM2: 0,
    });
    const computed = await api.call('regions:compute', { runId: run.id, threshold: 0.5, minAreaM2: 100 });
    expect(computed.regionCount).toBeGreaterThanOrEqual(2);
    // kept in the project: a reopened project shows the regions' settings
    expect((await api.call('run:get', { runId: run.id })).regionSettings).toEqual({
      threshold: 0.5,
      openingRadius: 0,
      closingRadius: 0,
      minAreaM2: 100,
    });
    const page: RegionPage = await api.call('regions:list', { runId: run.id });
    expect(page.items[0].areaM2).toBeGreaterThanOrEqual(page.items[1].areaM2);
    // the 100 x 60 px block at 3 m is 54,000 m²; the tiny model's 3x3 blur widens it slightly
    expect(page.items[0].areaM2).toBeGreaterThan(45_000);
    expect(page.items[0].areaM2).toBeLessThan(65_000);
    expect(page.items[0].fromClass).toBeTruthy();
    const detail = await api.call('regions:get', { fid: page.items[0].fid });
    expect(detail.outline[0][0].length).toBeGreaterThan(3);
    const spot = await api.call('regions:spotCheck', { fid: page.items[0].fid });
    for (const image of [spot.before, spot.change, spot.after]) {
      expect(Buffer.from(image, 'base64').subarray(1, 4).toString()).toBe('PNG');
    }
    const outlines = await api.call('regions:outlines', { runId: run.id, extent: [-180, -90, 180, 90] });
    expect(outlines.length).toBe(page.total);
  });

  it('keeps reviews and exports only the confirmed region', async () => {
    const page = await api.call('regions:list', { runId: run.id });
    await api.call('regions:review', {
      fid: page.items[0].fid,
      state: 'confirmed',
      note: 'Neubau – bestätigt',
    });
    await api.call('regions:review', { fid: page.items[1].fid, state: 'rejected' });
    const confirmed = await api.call('regions:list', {
      runId: run.id,
      filters: { reviewStates: ['confirmed'] },
    });
    expect(confirmed.items.map((r) => r.note)).toEqual(['Neubau – bestätigt']);
    // The map's outlines carry the review, so it can draw confirmed and rejected regions apart.
    const outlines = await api.call('regions:outlines', { runId: run.id, extent: [-180, -90, 180, 90] });
    const stateOf = (fid: number) => outlines.find((o) => o.fid === fid)?.reviewState;
    expect([stateOf(page.items[0].fid), stateOf(page.items[1].fid)]).toEqual(['confirmed', 'rejected']);
    expect(outlines.filter((o) => o.reviewState === 'unreviewed')).toHaveLength(outlines.length - 2);
    const out = path.join(api.dir, 'confirmed.geojson');
    const exported = await api.call('export:regions', {
      runId: run.id,
      format: 'geojson',
      out,
      filters: { reviewStates: ['confirmed'] },
    });
    expect(exported.featureCount).toBe(1);
    const geojson = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      features: { properties: Record<string, unknown> }[];
    };
    expect(Object.values(geojson.features[0].properties)).toContain('Neubau – bestätigt');
  });

  it('labels, when the project opens again, the regions a kill left without land cover', async () => {
    const file = api.session.services().project.file;
    const labels = () =>
      api.session
        .services()
        .project.db.prepare(
          'SELECT fid, from_class, to_class FROM change_regions WHERE run_id = ? ORDER BY fid',
        )
        .all(run.id) as { fid: number; from_class: string | null; to_class: string | null }[];
    const labelled = labels();
    expect(labelled.every((r) => r.from_class && r.to_class)).toBe(true);
    // The state a kill between finding the regions and labelling them leaves: regions stored, no land cover.
    api.session
      .services()
      .project.db.prepare('UPDATE change_regions SET from_class = NULL, to_class = NULL')
      .run();
    await api.call('project:close', {});
    const relabelled = api.nextEvent('regions:changed');
    await api.call('project:open', { path: file });
    expect(await relabelled).toMatchObject({ runId: run.id, regionCount: labelled.length });
    expect(labels()).toEqual(labelled);
    // Nothing left to label: opening again starts no work.
    await api.call('project:close', {});
    await api.call('project:open', { path: file });
    expect(api.session.services().regions.finishInterruptedLabelling()).toEqual([]);
  });
});
