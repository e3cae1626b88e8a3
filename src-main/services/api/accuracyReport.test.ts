// The accuracy assessment and the report through the API, as the renderer and the command line drive them:
// a run with regions -> a sample -> labels -> figures -> exports -> report (HTML, and PDF checked with pdftotext).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccuracyState, RunSummary } from '../../ipc/contract';
import { gdalFeatures } from '../exports/gdalProbe';
import { gridToMapFn } from '../imagery/crs';
import { ApiTestSession } from './testing/apiTestSession';
import { TINY_CHANGE_CARD } from '../inference/testing/testModels';

let api: ApiTestSession;
let pair: Awaited<ReturnType<ApiTestSession['writePlantedPair']>>;
let run: RunSummary;

beforeAll(async () => {
  api = new ApiTestSession('cm-accuracy-api-');
  pair = await api.writePlantedPair();
  await api.call('project:create', { path: path.join(api.dir, 'accuracy.gpkg'), name: 'Accuracy test' });
  await api.usePlantedPair(pair);
  const regions = api.nextEvent('regions:changed');
  run = await api.call('run:start', { model: TINY_CHANGE_CARD, provider: 'cpu', chunkSize: 256 });
  await regions;
}, 120_000);

afterAll(() => api.dispose());

describe('accuracy assessment through the API', () => {
  let state: AccuracyState;

  it('draws a seeded stratified sample and saves it with the run', async () => {
    expect(await api.call('accuracy:get', { runId: run.id })).toBeNull();
    state = await api.call('accuracy:draw', { runId: run.id, points: 30, minimumPerStratum: 10, seed: 5 });
    expect(state.points).toHaveLength(30);
    expect(state.sample.allocation.changed).toBeGreaterThanOrEqual(10);
    expect(state.sample.allocation.changed + state.sample.allocation.unchanged).toBe(30);
    expect(state.figures).toBeNull();
    expect(state.missing).toMatch(/label at least two in every stratum/);
    expect((await api.call('accuracy:get', { runId: run.id }))!.points).toEqual(state.points);
  });

  it('turns labels into the error matrix, accuracies and the error-adjusted area', async () => {
    // The map is right everywhere but at one changed point, which truly did not change.
    const wrong = state.points.find((p) => p.stratum === 'changed')!;
    for (const p of state.points)
      state = await api.call('accuracy:label', {
        pointId: p.id,
        label: p.stratum === 'changed' && p !== wrong ? 'change' : 'no_change',
      });
    expect(state.labelled).toBe(30);
    const f = state.figures!;
    const changedPoints = state.sample.allocation.changed;
    expect(f.matrix.changed).toEqual({ change: changedPoints - 1, no_change: 1 });
    expect(f.matrix.unchanged).toEqual({ change: 0, no_change: state.sample.allocation.unchanged });
    expect(f.usersAccuracy.change!.value).toBeCloseTo((changedPoints - 1) / changedPoints, 12);
    expect(f.producersAccuracy.change!.value).toBeCloseTo(1, 12);
    expect(f.changedArea.unit).toBe('m2');
    expect(f.changedArea.adjusted.value).toBeCloseTo(f.changedArea.mapped * f.usersAccuracy.change!.value, 3);
    expect(f.changedArea.adjusted.ci95[0]).toBeLessThan(f.changedArea.adjusted.value);
    // A label cleared takes its point out of the figures.
    state = await api.call('accuracy:label', { pointId: wrong.id, label: null });
    expect(state.figures!.matrix.changed.no_change).toBe(0);
    state = await api.call('accuracy:label', { pointId: wrong.id, label: 'no_change' });
  });

  it('shows a point in the spot check', async () => {
    const spot = await api.call('accuracy:spotCheck', { pointId: state.points[0].id });
    for (const image of [spot.before, spot.change, spot.after])
      expect(Buffer.from(image, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('exports samples and labels as CSV and as a GeoPackage layer GDAL reads', async () => {
    const csv = path.join(api.dir, 'sample.csv');
    expect(
      await api.call('accuracy:export', { sampleId: state.sample.id, format: 'csv', out: csv }),
    ).toMatchObject({
      pointCount: 30,
    });
    const lines = fs.readFileSync(csv, 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toContain('point_id,sample_id,run_id,stratum,map_label,reference');
    expect(lines).toHaveLength(31);
    expect(fs.existsSync(path.join(api.dir, 'sample.csvt'))).toBe(true);
    await expect(
      api.call('accuracy:export', { sampleId: state.sample.id, format: 'csv', out: csv }),
    ).rejects.toMatchObject({ code: 'ACCURACY_EXPORT_EXISTS' });
    const gpkg = path.join(api.dir, 'sample.gpkg');
    await api.call('accuracy:export', { sampleId: state.sample.id, format: 'gpkg', out: gpkg });
    const features = gdalFeatures(gpkg, 'accuracy_points');
    expect(features).toHaveLength(30);
    expect(features[0].geometry?.type).toBe('Point');
    const labels = features.map((f) => f.properties.reference);
    expect(labels.filter((l) => l === 'change')).toHaveLength(state.figures!.matrix.changed.change);
  });
});

describe('accuracy per boundary feature', () => {
  it('estimates the changed area inside each district that holds sample points; the districts add up to the whole', async () => {
    // Two districts, the west and east halves of the scene (and a margin around it), in WGS 84.
    const { grid } = pair;
    const toLonLat = gridToMapFn(grid.crs);
    const ring = (x0: number, x1: number) =>
      [
        [x0, 5599000],
        [x1, 5599000],
        [x1, 5600050],
        [x0, 5600050],
        [x0, 5599000],
      ].map(([x, y]) => toLonLat(x, y));
    const file = path.join(api.dir, 'districts.geojson');
    fs.writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'West' },
            geometry: { type: 'Polygon', coordinates: [ring(499950, 500576)] },
          },
          {
            type: 'Feature',
            properties: { name: 'East' },
            geometry: { type: 'Polygon', coordinates: [ring(500576, 501200)] },
          },
        ],
      }),
    );
    const layer = await api.call('boundaries:add', { path: file, name: 'districts', labelField: 'name' });
    await api.call('boundaries:join', { layerId: layer.id, runId: run.id });
    const rows = await api.call('accuracy:byFeature', { runId: run.id, layerId: layer.id });
    expect(rows.map((r) => r.label).sort()).toEqual(['East', 'West']);
    expect(rows.reduce((s, r) => s + r.points, 0)).toBe(30);
    const whole = (await api.call('accuracy:get', { runId: run.id }))!.figures!.changedArea.adjusted.value;
    // Seed 5 puts at least two labelled points of each stratum in both halves.
    const estimated = rows.filter((r) => r.adjustedChange);
    expect(estimated).toHaveLength(2);
    expect(estimated[0].adjustedChange!.value + estimated[1].adjustedChange!.value).toBeCloseTo(whole, 3);
  });
});

describe('the report', () => {
  it('writes a self-contained HTML report with the method, the accuracy figures and the largest regions', async () => {
    const out = path.join(api.dir, 'report.html');
    const result = await api.call('report:make', { runId: run.id, out, largestRegions: 2 });
    expect(result).toMatchObject({ format: 'html', engine: null, path: out });
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('ChangeMap report — Accuracy test');
    expect(html).toContain('tiny-change');
    expect(html).toContain('Error-adjusted changed area');
    expect(html).toContain('Olofsson et al. (2014)');
    expect(html).toMatch(/Region 1:[\s\S]*Region 2:/);
    expect(html).not.toContain('Region 3:');
    expect(html).toContain('By districts');
    expect(html).toMatch(/<td>(West|East)<\/td>/);
    expect(html).not.toMatch(/(src|href)="(https?:|file:)/); // nothing remote: pictures are inline
  });

  it('prints the PDF with a browser engine: the pages and text pdftotext reads', async () => {
    const out = path.join(api.dir, 'report.pdf');
    const result = await api.call('report:make', { runId: run.id, out, largestRegions: 2 });
    expect(result.format).toBe('pdf');
    expect(result.engine).toBeTruthy();
    const info = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
    // Cover, districts, method and accuracy, one page per region.
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(5);
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
    expect(text).toContain('ChangeMap report');
    expect(text).toContain('Method');
    expect(text).toContain('By districts');
    expect(text).toContain('Accuracy assessment');
    expect(text).toContain('Error-adjusted changed area');
    expect(text).toMatch(/Region 1:/);
    expect(text).toMatch(/Region 2:/);
    await expect(api.call('report:make', { runId: run.id, out })).rejects.toMatchObject({
      code: 'REPORT_EXISTS',
    });
  }, 60_000);
});
