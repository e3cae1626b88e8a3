import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { changeCardJson } from '../../core/models/testing/testCards';
import { chooseCatalogModel, listModels, readModelCard, resolveModel } from './modelCatalog';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const card = changeCardJson({
  name: 'demo-change',
  version: '1',
  file: 'demo.onnx',
  gsdRangeM: [1, 10],
  chipSize: 32,
  threshold: 0.5,
});

it('lists valid cards, skips broken ones, and resolves names, file stems and paths', () => {
  writeFileSync(path.join(dir, 'demo-v1.card.json'), JSON.stringify(card));
  writeFileSync(path.join(dir, 'broken.card.json'), '{ not json');
  writeFileSync(path.join(dir, 'invalid.card.json'), JSON.stringify({ ...card, chipSize: -1 }));
  const models = listModels([dir, path.join(dir, 'missing')]);
  expect(models.map((m) => m.name)).toEqual(['demo-change']);
  expect(models[0].onnxPath).toBe(path.join(dir, 'demo.onnx'));
  expect(resolveModel('demo-change', [dir])).toBe(path.join(dir, 'demo-v1.card.json'));
  expect(resolveModel('demo-v1', [dir])).toBe(path.join(dir, 'demo-v1.card.json'));
  expect(resolveModel('/x/y.onnx', [dir])).toBe('/x/y.card.json');
  expect(() => resolveModel('demo-change', [dir], 'land-cover-classification')).toThrow(/No model/);
  expect(() => readModelCard(path.join(dir, 'invalid.card.json'))).toThrow(/chipSize/);
  expect(() => readModelCard(path.join(dir, 'broken.card.json'))).toThrow(
    expect.objectContaining({ code: 'MODEL_CARD_UNREADABLE' }),
  );
});

it('chooses automatically among the cards in the folders and returns the chosen card file', () => {
  const choiceDir = mkdtempSync(path.join(os.tmpdir(), 'cm-choice-'));
  try {
    writeFileSync(
      path.join(choiceDir, 'general.card.json'),
      JSON.stringify({ ...card, name: 'general', gsdRangeM: [0.5, 20] }),
    );
    writeFileSync(
      path.join(choiceDir, 'buildings.card.json'),
      JSON.stringify({ ...card, name: 'buildings', gsdRangeM: [0.3, 1], detects: 'new buildings' }),
    );
    const vhr = chooseCatalogModel([choiceDir], 0.5);
    expect(vhr.modelId).toBe('buildings');
    expect(vhr.cardPath).toBe(path.join(choiceDir, 'buildings.card.json'));
    expect(vhr.reason).toContain('it detects new buildings');
    expect(chooseCatalogModel([choiceDir], 10).cardPath).toBe(path.join(choiceDir, 'general.card.json'));
    expect(() => chooseCatalogModel([path.join(choiceDir, 'none')], 10)).toThrow(
      expect.objectContaining({ code: 'MODEL_NONE_FOR_CHANGE' }),
    );
  } finally {
    rmSync(choiceDir, { recursive: true, force: true });
  }
});

it('the shipped change models cover every kind of imagery in the validation data without a warning', () => {
  const shipped = path.resolve(import.meta.dirname, '../../../models');
  // LEVIR 0.5 m, SZTAKI 1.5 m, DSIFN ~2 m, the sample scene 3 m, OSCD (Sentinel-2) 10 m.
  for (const p of [0.5, 1.5, 2, 3, 10]) {
    const choice = chooseCatalogModel([shipped], p);
    expect(choice.warnings, `${p} m`).toEqual([]);
    expect(readModelCard(choice.cardPath).task).toBe('change-detection');
  }
  expect(chooseCatalogModel([shipped], 60).warnings[0]).toMatch(
    /outside every model's ground sampling range/,
  );
});

it('refuses a card whose normalisation does not give one mean and std per band, or whose file leaves its folder', () => {
  const refused = (bad: object, field: string): void => {
    const cardPath = path.join(dir, 'hostile.card.json');
    writeFileSync(cardPath, JSON.stringify({ ...card, ...bad }));
    expect(() => readModelCard(cardPath)).toThrow(
      expect.objectContaining({ code: 'MODEL_CARD_INVALID', message: expect.stringContaining(field) }),
    );
  };
  const norm = (n: object) => ({ normalisation: { ...card.normalisation, ...n } });
  refused(norm({ mean: [], std: [] }), 'normalisation.mean');
  refused(norm({ std: [1, 1] }), 'normalisation.std');
  refused(norm({ fill: [0.5] }), 'normalisation.fill');
  refused({ file: '../../etc/passwd' }, '"file"');
  refused({ file: 'models/../../outside.onnx' }, '"file"');
  refused({ file: '/etc/passwd' }, '"file"');
  refused({ file: 'C:\\Windows\\model.onnx' }, '"file"');
  const cardPath = path.join(dir, 'nested.card.json');
  writeFileSync(cardPath, JSON.stringify({ ...card, file: 'weights/demo.onnx' }));
  expect(readModelCard(cardPath).file).toBe('weights/demo.onnx');
});
