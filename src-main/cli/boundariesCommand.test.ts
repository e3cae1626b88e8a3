// `changemap boundaries add|list|summary` end to end, in a child process as a user runs it: a district layer over
// the export tests' project, the summary written headless (joining first), and exports carrying the district.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, stampAsProject, type TestProject } from '../services/exports/exportTestProject';
import { runCli } from './testing/cliChild';

let tp: TestProject;
let districts = '';

beforeAll(() => {
  tp = createTestProject();
  stampAsProject(tp, 'CLI');
  // Two districts side by side over the regions (WGS 84), split at the middle of their centroids.
  const box = tp.db
    .prepare(
      `SELECT MIN(centroid_lon) AS w, MAX(centroid_lon) AS e, MIN(centroid_lat) AS s, MAX(centroid_lat) AS n
       FROM change_regions WHERE run_id = ?`,
    )
    .get(tp.runId) as { w: number; e: number; s: number; n: number };
  tp.db.close();
  const pad = 0.01;
  const mid = (box.w + box.e) / 2;
  const rect = (w: number, e: number) => [
    [
      [w, box.s - pad],
      [e, box.s - pad],
      [e, box.n + pad],
      [w, box.n + pad],
      [w, box.s - pad],
    ],
  ];
  districts = path.join(tp.dir, 'districts.geojson');
  fs.writeFileSync(
    districts,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: 'West', code: 'W' },
          geometry: { type: 'Polygon', coordinates: rect(box.w - pad, mid) },
        },
        {
          type: 'Feature',
          properties: { name: 'East', code: 'E' },
          geometry: { type: 'Polygon', coordinates: rect(mid, box.e + pad) },
        },
      ],
    }),
  );
});
afterAll(() => fs.rmSync(tp.dir, { recursive: true, force: true }));

const changemap = (...args: string[]) => runCli(args, { userData: path.join(tp.dir, 'user') });

describe('changemap boundaries', () => {
  it('adds a layer, writes the per-district summary headless, and exports regions with their district', () => {
    const added = changemap('boundaries', 'add', '--project', tp.file, '--file', districts, '--json');
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      type: 'boundaries:added',
      featureCount: 2,
      labelField: 'name',
    });
    expect(changemap('boundaries', 'list', '--project', tp.file).stdout).toMatch(
      /Layer 1 "districts": 2 features/,
    );

    const csv = path.join(tp.dir, 'summary.csv');
    const summaryArgs = [
      'boundaries',
      'summary',
      '--project',
      tp.file,
      '--run',
      String(tp.runId),
      '--out',
      csv,
    ];
    const summary = changemap(...summaryArgs);
    expect(summary.status, summary.stderr).toBe(0);
    expect(summary.stderr).toMatch(/Joined \d+ of \d+ regions to 2 features/);
    const lines = fs.readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(3);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[1])
        .sort(),
    ).toEqual(['East', 'West']);
    // Refused without --overwrite, with the next step; nothing else changes.
    const again = changemap(...summaryArgs);
    expect(again.status).toBe(3);
    expect(again.stderr).toMatch(/--overwrite.*\[EXPORT_EXISTS\]/);

    const geojson = path.join(tp.dir, 'regions.geojson');
    const exported = changemap(
      'export',
      '--project',
      tp.file,
      '--run',
      String(tp.runId),
      '--format',
      'geojson',
      '--out',
      geojson,
    );
    expect(exported.status, exported.stderr).toBe(0);
    const names = (
      JSON.parse(fs.readFileSync(geojson, 'utf8')) as { features: { properties: Record<string, unknown> }[] }
    ).features.map((f) => f.properties.boundary_name);
    expect(names.length).toBeGreaterThan(1);
    expect(names.every((n) => n === 'East' || n === 'West')).toBe(true);
  }, 180_000); // five commands, each a fresh Node process

  it('refuses a file that is not a boundary layer, with its code and exit 3', () => {
    const points = path.join(tp.dir, 'points.geojson');
    fs.writeFileSync(
      points,
      JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [15, 48] } }),
    );
    const r = changemap('boundaries', 'add', '--project', tp.file, '--file', points);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/not polygons.*\[BOUNDARY_NOT_POLYGONS\]/);
  }, 60_000);
});
