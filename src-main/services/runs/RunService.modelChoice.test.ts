// The run's change model: chosen automatically from the pair's pixel size and the cards (model 'auto', the
// default), recorded with its reason in the project, and a warning when the imagery lies outside the model's range.
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changeCardJson } from '../../core/models/testing/testCards';
import { openMemoryProjectDb } from '../project/memoryDb';
import { migrate, ProjectStore } from '../project/projectStore';
import { GPKG_APPLICATION_ID, MIGRATIONS } from '../project/schema';
import { runSummary } from './runView';
import { RunService } from './RunService';
import { syntheticPair } from './syntheticPair';
import type { RunInputs } from './runTypes';
import { fakePredictor, type FakePredictorOptions } from './testing/fakePredictor';

/** The run's warnings about its model (the synthetic pair's nodata pixels add their own count, tested elsewhere). */
const modelWarnings = (warnings: string[]) => warnings.filter((w) => !w.includes('have no probability'));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cm-choice-'));
  dirs.push(d);
  return d;
}

/** A change-model card (its ONNX file is never loaded: the predictor is a fake). */
function writeCard(dir: string, name: string, extra: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.card.json`);
  writeFileSync(
    file,
    JSON.stringify(
      changeCardJson({
        name,
        file: `${name}.onnx`,
        sha256: 'f'.repeat(64),
        chipSize: 32,
        threshold: 0.5,
        ...extra,
      }),
    ),
  );
  return file;
}

// 3 m pixels in UTM (syntheticPair's georeferenced grid).
const georeferenced: RunInputs = { kind: 'synthetic', width: 300, height: 200, bands: 3, seed: 3 };
const pixelSpace: RunInputs = { ...georeferenced, georeferenced: false };

function service(modelDirs: string[], fake: FakePredictorOptions = {}) {
  const started: string[] = [];
  const svc = new RunService({
    db: openMemoryProjectDb(),
    dataDir: tempDir(),
    modelDirs,
    openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
    startPredictor: async (cardPath) => {
      started.push(cardPath);
      return fakePredictor(fake);
    },
  });
  return { svc, started };
}

describe('the change model of a run', () => {
  it('is chosen automatically by default from the pair pixel size, recorded with its reason', async () => {
    const models = tempDir();
    const general = writeCard(models, 'general', { gsdRangeM: [0.5, 20], detects: 'any change' });
    writeCard(models, 'buildings', { gsdRangeM: [0.25, 1.2], detects: 'new buildings' });
    const { svc, started } = service([models]);
    const id = await svc.startRun({ inputs: georeferenced, chunkSize: 256 });
    expect(started).toEqual([general]);
    const run = await svc.whenSettled(id);
    expect(run.status).toBe('done');
    expect(run.modelRequested).toBe('auto');
    expect(run.modelReason).toBe(
      'Imagery at 3 m suits general, made for 0.5–20 m pixels; it detects any change.',
    );
    expect(run.params.modelCardPath).toBe(general);
    expect(modelWarnings(run.warnings)).toEqual([]);
  });

  it('warns, in the run, when the imagery lies outside every model range', async () => {
    const models = tempDir();
    const buildings = writeCard(models, 'buildings', { gsdRangeM: [0.25, 1.2] });
    const { svc, started } = service([models]);
    const id = await svc.startRun({ inputs: georeferenced, model: 'auto', chunkSize: 256 });
    expect(started).toEqual([buildings]);
    const run = await svc.whenSettled(id);
    expect(modelWarnings(run.warnings)).toEqual([
      "Imagery at 3 m is outside every model's ground sampling range (closest: buildings, 0.25–1.2 m); expect missed and false changes.",
    ]);
  });

  it('takes the widest-range model with a warning when the pair has no georeference', async () => {
    const models = tempDir();
    writeCard(models, 'buildings', { gsdRangeM: [0.25, 1.2] });
    const general = writeCard(models, 'general', { gsdRangeM: [0.5, 20] });
    const { svc, started } = service([models]);
    const run = await svc.whenSettled(await svc.startRun({ inputs: pixelSpace, chunkSize: 256 }));
    expect(started).toEqual([general]);
    expect(run.modelReason).toMatch(/pixel size is unknown/);
    expect(modelWarnings(run.warnings)[0]).toMatch(/could not be matched/);
  });

  it('keeps a model the user named, without a reason, and warns outside its range', async () => {
    const { svc, started } = service([], { gsdRangeM: [0.25, 1.2] });
    const run = await svc.whenSettled(
      await svc.startRun({ inputs: georeferenced, model: 'fake.card.json', chunkSize: 256 }),
    );
    expect(started).toEqual([path.resolve('fake.card.json')]);
    expect(run.modelRequested).toBe('fake.card.json');
    expect(run.modelReason).toBeNull();
    expect(modelWarnings(run.warnings)).toEqual([
      'Imagery at 3 m is coarser than the ground sampling range of fake-change (0.25–1.2 m); expect missed and false changes.',
    ]);
  });

  it('refuses automatic choice with a clear error when no change model is installed', async () => {
    const { svc, started } = service([tempDir()]);
    await expect(svc.startRun({ inputs: georeferenced })).rejects.toMatchObject({
      code: 'MODEL_NONE_FOR_CHANGE',
    });
    expect(started).toEqual([]);
    expect(svc.listRuns()).toEqual([]);
  });

  it('reads runs of a project from before the choice was recorded, after migrating it with a backup', () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.gpkg');
    const db = new Database(file);
    db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
    migrate(
      db,
      0,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    db.prepare(
      `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
       VALUES ('done', 'changemap-change', '1.0.0', '', 'cpu', '{}')`,
    ).run();
    db.close();
    const store = ProjectStore.open(file);
    try {
      const svc = new RunService({
        db: store.db,
        dataDir: store.dataDir,
        modelDirs: [],
        openPair: async () => {
          throw new Error('not used');
        },
      });
      const run = svc.getRun(1)!;
      expect(run).toMatchObject({ modelName: 'changemap-change', modelRequested: null, modelReason: null });
      expect(runSummary(run)).toMatchObject({ modelRequested: null, modelReason: null });
    } finally {
      store.close();
    }
    expect(readdirSync(dir).filter((f) => /^old\.gpkg\.v2-.*\.bak$/.test(f))).toHaveLength(1);
  });
});
