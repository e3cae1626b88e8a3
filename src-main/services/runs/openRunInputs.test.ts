import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { pixelGrid, sceneData, writeFixture } from '../imagery/testing/fixtures';
import { openRunInputs } from './openRunInputs';
import { RunService } from './RunService';
import { fakePredictor } from './testing/fakePredictor';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs a same-size pair without georeference as a pixel-aligned pair', async () => {
  const grid = pixelGrid(300, 200);
  const before = path.join(dir, 'before.tif');
  const after = path.join(dir, 'after.tif');
  await writeFixture(before, grid, 3, sceneData(grid, 3, 'uint8'));
  const changed = sceneData(grid, 3, 'uint8');
  for (let i = 0; i < 40; i++) changed.fill(250, i * 300 + 100, i * 300 + 140);
  await writeFixture(after, grid, 3, changed);

  const svc = new RunService({
    db: openMemoryProjectDb(),
    dataDir: path.join(dir, 'p.data'),
    modelDirs: [],
    openPair: openRunInputs,
    startPredictor: async () => fakePredictor(),
  });
  const id = await svc.startRun({
    inputs: { kind: 'files', before: [before], after: [after] },
    model: 'fake.card.json',
    chunkSize: 256,
  });
  const run = await svc.whenSettled(id);
  expect(run.status, run.error ?? '').toBe('done');
  expect(run.params.grid.crs.code).toBeNull();
  const image = await (await fromFile(run.probabilityPath!)).getImage();
  expect(image.getWidth()).toBe(300);
  const [p] = (await image.readRasters()) as unknown as Uint8Array[];
  // The changed block reads as more likely change than the unchanged surroundings.
  expect(p[20 * 300 + 120]).toBeGreaterThan(p[150 * 300 + 20] + 20);
});
