// `changemap run` with what the imagery panel lets a user say that the files do not: --before-date / --after-date
// (issue 10 item 9) and --pixel-size for a pixel-aligned pair of PNGs (item 5); both reach every export.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelGrid, sceneData, withPlantedChanges } from '../services/imagery/testing/fixtures';
import { runCli, tinyRunArgs } from './testing/cliChild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-imagery-'));
const before = path.join(dir, 'before.png');
const after = path.join(dir, 'after.png');

const changemap = (...args: string[]) => runCli(args, { userData: path.join(dir, 'user'), timeout: 120_000 });

/** Pixel-interleaved RGB of band-planar data. */
function interleave(planar: ArrayLike<number>, n: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) for (let b = 0; b < 3; b++) out[i * 3 + b] = planar[b * n + i];
  return out;
}

beforeAll(() => {
  const grid = pixelGrid(256, 192);
  const n = grid.width * grid.height;
  const b = sceneData(grid, 3, 'uint8') as Uint8Array;
  const a = withPlantedChanges(b, grid, 3, [{ x: 30, y: 40, width: 90, height: 60, value: 250 }]);
  fs.writeFileSync(before, encodePng({ width: 256, height: 192, data: interleave(b, n), channels: 3 }));
  fs.writeFileSync(after, encodePng({ width: 256, height: 192, data: interleave(a, n), channels: 3 }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runArgs = (project: string, ...more: string[]) => tinyRunArgs(before, after, project, ...more);

describe('changemap run with dates and a pixel size', () => {
  it('refuses a date that is not a calendar day, exit 2, before touching the project', () => {
    const project = path.join(dir, 'never.gpkg');
    const r = changemap(...runArgs(project, '--before-date', '2021-02-29'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not exist in the calendar/);
    expect(fs.existsSync(project)).toBe(false);
  });

  it('stores the dates and the pixel size, and every export carries them', () => {
    const project = path.join(dir, 'pixels.gpkg');
    const r = changemap(
      ...runArgs(project, '--before-date', '2020-03-15', '--after-date', '2021-06-30', '--pixel-size', '0.5'),
    );
    expect(r.status, r.stderr).toBe(0);
    const csv = path.join(dir, 'regions.csv');
    const exported = changemap('export', '--project', project, '--format', 'csv', '--out', csv);
    expect(exported.status, exported.stderr).toBe(0);
    const [header, first] = fs.readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    const columns = header.split(',');
    const row = first.split(',');
    const value = (name: string) => row[columns.indexOf(name)];
    expect(value('before_date')).toBe('2020-03-15');
    expect(value('after_date')).toBe('2021-06-30');
    // Pixel coordinates (no CRS), areas in m² from the pixel size: 0.25 m² per pixel.
    expect(columns).toContain('centroid_x');
    expect(Number(value('area_m2'))).toBeGreaterThan(0);
    expect(Number(value('area_m2')) % 0.25).toBeCloseTo(0, 6);
    const geojson = changemap(
      'export',
      '--project',
      project,
      '--format',
      'geojson',
      '--out',
      `${csv}.geojson`,
    );
    expect(geojson.status).toBe(3);
    expect(geojson.stderr).toMatch(/EXPORT_NO_GEOREFERENCE/);
  });

  it('runs an area of interest given in pixel coordinates and places its regions in the whole image', () => {
    const project = path.join(dir, 'aoi.gpkg');
    // The change is the block of columns 30..119, rows 40..99: x 30..120, y -100..-40. The area starts at row 20.
    const r = changemap(...runArgs(project, '--aoi', '0,-130,160,-20'));
    expect(r.status, r.stderr).toBe(0);
    const csv = path.join(dir, 'aoi.csv');
    expect(changemap('export', '--project', project, '--format', 'csv', '--out', csv).status).toBe(0);
    const [header, ...rows] = fs.readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    const columns = header.split(',');
    const largest = rows[0].split(',');
    const x = Number(largest[columns.indexOf('centroid_x')]);
    const y = Number(largest[columns.indexOf('centroid_y')]);
    expect(x).toBeGreaterThan(50);
    expect(x).toBeLessThan(100);
    expect(y).toBeGreaterThan(-90);
    expect(y).toBeLessThan(-50);
  });
});
