// The one rule for a run's region settings: saved for the run, else the model card's, else the fallback, each
// setting on its own.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../exports/exportTestProject';
import { FALLBACK_REGION_SETTINGS, hasSavedRegionSettings, regionSettingsForRun } from './regionSettings';
import { TINY_CHANGE_CARD } from '../inference/testing/testModels';

let tp: TestProject;

function setRun(params: Record<string, unknown>, saved: Record<string, unknown>): void {
  tp.db
    .prepare('UPDATE cm_runs SET params = ?, region_settings = ? WHERE id = ?')
    .run(JSON.stringify(params), JSON.stringify(saved), tp.runId);
}

function cardWith(extra: Record<string, unknown>): string {
  const card = JSON.parse(fs.readFileSync(TINY_CHANGE_CARD, 'utf8')) as Record<string, unknown>;
  const file = path.join(tp.dir, 'card.card.json');
  // A card names its model inside its own folder (absolute paths are refused): the model goes beside the card.
  fs.copyFileSync(
    path.resolve(path.dirname(TINY_CHANGE_CARD), 'tiny-change.onnx'),
    path.join(tp.dir, 'tiny-change.onnx'),
  );
  fs.writeFileSync(file, JSON.stringify({ ...card, file: 'tiny-change.onnx', ...extra }));
  return file;
}

beforeEach(() => (tp = createTestProject()));
afterEach(() => tp.close());

describe('regionSettingsForRun', () => {
  it('takes the fallback where neither the run nor its card says anything', () => {
    setRun({ modelCardPath: path.join(tp.dir, 'gone.card.json') }, {});
    expect(regionSettingsForRun(tp.db, tp.runId)).toEqual(FALLBACK_REGION_SETTINGS);
    expect(hasSavedRegionSettings(tp.db, tp.runId)).toBe(false);
  });

  it("takes the card's threshold and clean-up over the fallback, setting by setting", () => {
    setRun({ modelCardPath: cardWith({ threshold: 0.2, regions: { minAreaM2: 250 } }) }, {});
    expect(regionSettingsForRun(tp.db, tp.runId)).toEqual({
      threshold: 0.2,
      openingRadius: 0,
      closingRadius: 0,
      minAreaM2: 250,
    });
  });

  it("takes what was saved for the run over the card, and a caller's request over both", () => {
    setRun(
      { modelCardPath: cardWith({ threshold: 0.2, regions: { openingRadius: 2, minAreaM2: 250 } }) },
      { threshold: 0.7, openingRadius: 0, closingRadius: 1, minAreaM2: 10 },
    );
    expect(hasSavedRegionSettings(tp.db, tp.runId)).toBe(true);
    expect(regionSettingsForRun(tp.db, tp.runId)).toEqual({
      threshold: 0.7,
      openingRadius: 0,
      closingRadius: 1,
      minAreaM2: 10,
    });
    expect(regionSettingsForRun(tp.db, tp.runId, { threshold: 0.9 })).toMatchObject({
      threshold: 0.9,
      closingRadius: 1,
    });
  });
});
