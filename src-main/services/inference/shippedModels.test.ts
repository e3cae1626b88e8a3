// Every model ChangeMap ships (and the tiny test models) loads with its card validated against the ONNX file, and
// onnxruntime-node reproduces the output recorded at export time (PyTorch) within 1e-4.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { selfTestInput } from '../../core/models/modelCard';
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
      'tinycd-buildings-levir.card.json',
      'tiny-change.card.json',
      'tiny-landcover.card.json',
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
});
