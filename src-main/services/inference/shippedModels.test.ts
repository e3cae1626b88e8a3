// Every model ChangeMap ships (and the tiny test models) loads with its card validated against the ONNX file, and
// onnxruntime-node reproduces the output recorded at export time (PyTorch) within 1e-4.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { selfTestInput } from '../../core/models/modelCard';
import { chooseCatalogModel, readModelCard } from './modelCatalog';
import { loadModel } from './onnxModel';

const MODELS = path.resolve(import.meta.dirname, '../../../models');
const cards = [MODELS, path.join(MODELS, 'test')].flatMap((dir) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.card.json'))
    .map((f) => path.join(dir, f)),
);

describe('shipped models', () => {
  it('ships a change detector, a building-change detector, a land-cover classifier and the tiny test twins', () => {
    expect(cards.map((c) => path.basename(c)).sort()).toEqual([
      'changemap-change-v1.card.json',
      'changemap-landcover-v1.card.json',
      'tiny-change.card.json',
      'tiny-landcover.card.json',
      'tinycd-buildings-levir.card.json',
    ]);
  });

  it.each(cards.map((c) => [path.basename(c), c]))(
    '%s: output for the fixed input is the exported one within 1e-4',
    async (_name, cardPath) => {
      const model = await loadModel(cardPath, { provider: 'cpu', selfTest: false });
      try {
        const { card } = model;
        const test = card.selfTest!;
        expect(test.sampleIndices.length).toBeGreaterThanOrEqual(3);
        const size = card.task === 'change-detection' ? card.chipSize : card.inputSize;
        const count = card.bands.length * size * size;
        const feeds = Object.fromEntries(
          card.inputs.map((input, k) => [
            input.name,
            new ort.Tensor('float32', selfTestInput(k, count, test.inputSeed), [
              1,
              card.bands.length,
              size,
              size,
            ]),
          ]),
        );
        const out = (await model.session.run(feeds))[card.outputs[0].name].data as Float32Array;
        const got = test.sampleIndices.map((i) => out[i]);
        got.forEach((value, j) => expect(Math.abs(value - test.outputSample[j])).toBeLessThanOrEqual(1e-4));
        expect(fs.statSync(model.onnxPath).size).toBeLessThanOrEqual(20 * 1024 * 1024);
      } finally {
        await model.session.release();
      }
    },
  );

  it('TinyCD credits its authors, is research-only, takes unit-scaled RGB and is chosen for 0.3-0.8 m imagery', () => {
    const card = readModelCard(path.join(MODELS, 'tinycd-buildings-levir.card.json'));
    expect(card.attribution).toMatch(/Codegoni.*Lombardi.*Ferrari/);
    expect(card.attribution).toContain('arXiv 2207.13159');
    expect(card.attribution).toContain('https://github.com/AndreaCodegoni/Tiny_model_4_CD');
    expect(card.training.licence).toMatch(/non-commercial/);
    expect(card.training.licence).toContain('LEVIR-CD');
    // ImageNet normalisation is inside the graph: the app's step 2 must leave the unit-scaled values alone.
    // Padding and nodata become ImageNet's mean colour, the neutral value the network was trained around.
    expect(card.normalisation).toEqual({
      unitScaling: 'datatype',
      mean: [0, 0, 0],
      std: [1, 1, 1],
      fill: [0.485, 0.456, 0.406],
    });
    expect(card.task === 'change-detection' && card.detects).toMatch(/buildings/);
    for (const p of [0.3, 0.5, 0.8]) expect(chooseCatalogModel([MODELS], p).modelId).toBe(card.name);
    for (const p of [1.5, 2, 10]) expect(chooseCatalogModel([MODELS], p).modelId).toBe('changemap-change');
  });
});
