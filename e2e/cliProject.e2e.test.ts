// A project made on the command line, opened in the app (issue 10 item 3): its imagery, its run and its regions are
// there, and the app's exports of that run equal the command line's, byte for byte where the format allows.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { jsonLines, runCliAsync } from '../src-main/cli/testing/cliChild';
import { TINY_CHANGE_MODEL, writeScenePair } from './support/fixtures';
import { Workbench } from './support/workbench';

/** `changemap ...` in a child process, without blocking the browser host that lives in this process. */
const changemap = (workDir: string, ...args: string[]) =>
  runCliAsync(args, { userData: path.join(workDir, 'cli-user') });

describe('a project made by changemap run, in the app', () => {
  let app: ChangeMapApp;
  let bench: Workbench;
  let project: string;
  let regionCount: number;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    const scene = await writeScenePair(path.join(app.workDir, 'scene'), { size: 512 });
    project = path.join(app.workDir, 'From the command line.gpkg');
    const run = await changemap(
      app.workDir,
      'run',
      '--before',
      scene.before,
      '--after',
      scene.after,
      '--project',
      project,
      '--model',
      TINY_CHANGE_MODEL,
      '--provider',
      'cpu',
      '--json',
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = jsonLines<{ type: string; regionCount?: number }>(run.stdout);
    regionCount = lines.find((l) => l.type === 'regions:done')!.regionCount!;
    expect(regionCount).toBeGreaterThan(0);
  }, 300_000);
  afterAll(async () => app?.dispose());

  it('shows its imagery, its finished run and its regions', async () => {
    const tiles = await app.signalCount('tile:preview-after');
    await bench.openProject(project);
    for (const role of ['before', 'after'] as const)
      await expect
        .poll(() => bench.byTestId(`imagery-meta-${role}`).getByTestId('crs').textContent())
        .toMatch(/EPSG:32633/);
    // Drawn on the map, and ready for another run on the same imagery.
    await app.waitForSignal('tile:preview-after', tiles + 1, 60_000);
    expect(await bench.byTestId('run-start').isEnabled()).toBe(true);
    expect(await bench.byTestId('run-panel').getAttribute('data-status')).toBe('done');
    expect(await bench.byTestId('run-progress').getAttribute('data-run-id')).toBe('1');
    await expect
      .poll(() => bench.byTestId('region-list').getAttribute('data-total'))
      .toBe(String(regionCount));
    await app.screenshot('cli-project-in-app');
  });

  it('exports what the command line exports of the same run', async () => {
    const formats = [
      { id: 'geojson', ext: 'geojson', cli: ['--format', 'geojson'] },
      { id: 'csv', ext: 'csv', cli: ['--format', 'csv'] },
      { id: 'shapefile', ext: 'zip', cli: ['--format', 'shapefile'] },
      { id: 'mask', ext: 'tif', cli: ['--format', 'geotiff', '--raster', 'mask'] },
      { id: 'probability', ext: 'tif', cli: ['--format', 'geotiff', '--raster', 'probability'] },
      { id: 'gpkg', ext: 'gpkg', cli: ['--format', 'gpkg'] },
    ];
    for (const side of ['app', 'cli']) fs.mkdirSync(path.join(app.workDir, side));
    for (const f of formats) {
      // The same file name on both sides: formats name their layer after the file.
      const inApp = path.join(app.workDir, 'app', `regions-${f.id}.${f.ext}`);
      const onCli = path.join(app.workDir, 'cli', `regions-${f.id}.${f.ext}`);
      await bench.exportTo(inApp, () => bench.byTestId(`export-format-${f.id}`).check());
      const cli = await changemap(app.workDir, 'export', '--project', project, ...f.cli, '--out', onCli);
      expect(cli.status, cli.stderr).toBe(0);
      if (f.id === 'shapefile') {
        // The zip records when it was written; the files inside are compared byte for byte.
        const unzip = (file: string) => unzipSync(fs.readFileSync(file));
        const [a, b] = [unzip(inApp), unzip(onCli)];
        expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
        for (const name of Object.keys(a))
          expect(Buffer.from(a[name]).equals(Buffer.from(b[name])), name).toBe(true);
      } else if (f.id === 'gpkg') {
        // A GeoPackage holds timestamps of its writing: equal as GDAL reads it.
        const read = (file: string) =>
          execFileSync('ogrinfo', ['-ro', '-al', '-q', file], { encoding: 'utf8' });
        expect(read(inApp)).toBe(read(onCli));
      } else {
        expect(fs.readFileSync(inApp).equals(fs.readFileSync(onCli)), f.id).toBe(true);
      }
    }
    await bench.byTestId('export-close').click();
  });
});
