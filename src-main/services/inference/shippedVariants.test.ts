// Every reduced-precision variant a shipped card lists loads in onnxruntime-node (sha256 and its own self-test
// checked) and agrees with its full-precision file on reference chips cut from the generated sample scene.
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { generateSampleScene } from '../../core/sampleScene/generateSampleScene';
import { variantVerdict } from '../../core/models/modelVariants';
import { listModels, readModelCard } from './modelCatalog';
import { loadModel, type LoadedModel } from './onnxModel';

const MODELS = path.resolve(import.meta.dirname, '../../../models');
const SIDE = 512;
const scene = generateSampleScene({ width: SIDE, height: SIDE });

/**
 * Agreement on the reference chips (stated tolerances; measured 2026-12-03 in brackets). Change: mean probability
 * difference at most 0.01 (0.0003), none above 0.25 (0.13, at a few edge pixels), at most 0.5% of pixels on the
 * other side of the card threshold (0.03%). Land cover: class probabilities within 0.1 (0.05), the same top class
 * for all but one of 16 patches (16 of 16).
 */
const TOLERANCE = {
  change: { mean: 0.01, max: 0.25, flipped: 0.005 },
  landCover: { max: 0.1, topDiffers: 1 },
};

/** n square chips of `size` px from the scene (date 0 before, 1 after), unit-scaled and normalised by the card. */
function chips(model: LoadedModel, date: Uint8Array, size: number, n: number): Float32Array {
  const { mean, std } = model.card.normalisation;
  const out = new Float32Array(n * 3 * size * size);
  const perRow = Math.floor(SIDE / size);
  for (let k = 0; k < n; k++) {
    const x0 = (k % perRow) * size;
    const y0 = Math.floor(k / perRow) * size;
    for (let b = 0; b < 3; b++)
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const v = date[b * SIDE * SIDE + (y0 + y) * SIDE + x0 + x] / 255;
          out[((k * 3 + b) * size + y) * size + x] = (v - mean[b]) / std[b];
        }
  }
  return out;
}

async function outputOf(model: LoadedModel): Promise<Float32Array> {
  const card = model.card;
  const size = card.task === 'change-detection' ? card.chipSize : card.inputSize;
  const n = card.task === 'change-detection' ? 4 : 16;
  const dates = [scene.before, scene.after];
  const feeds = Object.fromEntries(
    card.inputs.map((input, k) => [
      input.name,
      new ort.Tensor('float32', chips(model, dates[k], size, n), [n, 3, size, size]),
    ]),
  );
  return (await model.session.run(feeds))[card.outputs[0].name].data as Float32Array;
}

const variants = listModels([MODELS]).flatMap((entry) =>
  (readModelCard(entry.cardPath).variants ?? []).map((v) => [
    `${entry.name} ${v.precision}`,
    entry.cardPath,
    v.file,
  ]),
);

describe('shipped reduced-precision variants', () => {
  it('ships at least one variant, each with recorded accuracy that keeps the bar', () => {
    expect(variants.length).toBeGreaterThan(0);
    for (const [, cardPath, file] of variants) {
      const card = readModelCard(cardPath);
      expect(
        variantVerdict(
          card.task,
          card.variants!.find((v) => v.file === file)!,
        ).keepsAccuracy,
      ).toBe(true);
    }
  });

  it('refuses a file the card does not list as a variant, naming the ones it does', async () => {
    const [, cardPath, file] = variants[0];
    await expect(
      loadModel(cardPath, { provider: 'cpu', variantFile: 'other.int8.onnx' }),
    ).rejects.toMatchObject({
      code: 'MODEL_VARIANT_UNKNOWN',
      message: expect.stringContaining(file),
    });
  });

  it.each(variants)('%s agrees with full precision on reference chips', async (_name, cardPath, file) => {
    const full = await loadModel(cardPath, { provider: 'cpu', threads: 2 });
    const variant = await loadModel(cardPath, { provider: 'cpu', threads: 2, variantFile: file });
    try {
      expect(variant.precision).not.toBe('full');
      expect(variant.sha256).not.toBe(full.sha256);
      const a = await outputOf(full);
      const b = await outputOf(variant);
      expect(b.length).toBe(a.length);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
        sum += Math.abs(a[i] - b[i]);
      }
      const card = full.card;
      if (card.task === 'change-detection') {
        let flipped = 0;
        for (let i = 0; i < a.length; i++) if (a[i] >= card.threshold !== b[i] >= card.threshold) flipped++;
        console.log(
          `${card.name}: mean difference ${(sum / a.length).toFixed(4)}, max ${worst.toFixed(4)}, ${flipped} of ${a.length} pixels flipped`,
        );
        expect(sum / a.length).toBeLessThanOrEqual(TOLERANCE.change.mean);
        expect(worst).toBeLessThanOrEqual(TOLERANCE.change.max);
        expect(flipped / a.length).toBeLessThanOrEqual(TOLERANCE.change.flipped);
      } else {
        const classes = card.classes.length;
        let differ = 0;
        for (let k = 0; k < a.length / classes; k++) {
          const row = (p: Float32Array) => Array.from(p.subarray(k * classes, (k + 1) * classes));
          const top = (r: number[]) => r.indexOf(Math.max(...r));
          if (top(row(a)) !== top(row(b))) differ++;
        }
        console.log(`${card.name}: max difference ${worst.toFixed(4)}, top class differs on ${differ} of 16`);
        expect(worst).toBeLessThanOrEqual(TOLERANCE.landCover.max);
        expect(differ).toBeLessThanOrEqual(TOLERANCE.landCover.topDiffers);
      }
    } finally {
      await full.session.release();
      await variant.session.release();
    }
  });
});
