// The shipped TinyCD export, loaded the way the app loads it (card, checksum, self-test) and run by
// onnxruntime-node, reproduces the outputs of the authors' own implementation (reference_outputs.npz beside the
// weights in ../shared/models/tinycd, see its ARCHITECTURE.md) within 1e-4. Inputs go in as the app feeds them:
// uint8 / 255 through core/raster/scaling, then the card's normalisation (the identity: ImageNet's is in the graph).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseNpz, type NpyArray } from '../../../scripts/eval/npz';
import { applyUnitScaling, normaliseInPlace, unitScalingFor } from '../../core/raster/scaling';
import { loadModel } from './onnxModel';

const TINYCD = process.env.CHANGEMAP_TINYCD ?? path.join(process.cwd(), '..', 'shared', 'models', 'tinycd');
const MODELS = path.resolve(import.meta.dirname, '../../../models');
const TOLERANCE = 1e-4;
// The reference's "random" inputs are already ImageNet-normalised (ARCHITECTURE.md); the shipped graph takes
// unit-scaled RGB, so they are mapped back with TinyCD's constants.
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** Shipped TinyCD cards and the weight prefix of the reference arrays (tinycd-buildings-levir -> "levir"). */
const shipped = readdirSync(MODELS)
  .filter((f) => /^tinycd-buildings-[a-z]+\.card\.json$/.test(f))
  .map((f) => ({ card: path.join(MODELS, f), weights: /^tinycd-buildings-([a-z]+)/.exec(f)![1] }));

function get(arrays: Map<string, NpyArray>, name: string): NpyArray {
  const a = arrays.get(name);
  if (!a) throw new Error(`reference_outputs.npz has no array ${name}.`);
  return a;
}

/** HWC uint8 RGB -> band-planar unit-scaled float32, with the app's scaling and the card's normalisation. */
function appInput(hwc: NpyArray, mean: number[], std: number[]): Float32Array {
  const [h, w, bands] = hwc.shape;
  const planar = new Uint8Array(h * w * bands);
  for (let i = 0; i < h * w; i++)
    for (let b = 0; b < bands; b++) planar[b * h * w + i] = hwc.data[i * bands + b];
  const scaling = Array.from({ length: bands }, () => unitScalingFor('uint8', null));
  return normaliseInPlace(applyUnitScaling(planar, bands, scaling), bands, mean, std);
}

/** CHW ImageNet-normalised float32 -> unit-scaled, what the shipped graph expects. */
function denormalised(chw: NpyArray): Float32Array {
  const [bands, h, w] = chw.shape;
  const out = new Float32Array(chw.data.length);
  for (let b = 0; b < bands; b++)
    for (let i = 0; i < h * w; i++)
      out[b * h * w + i] = chw.data[b * h * w + i] * IMAGENET_STD[b] + IMAGENET_MEAN[b];
  return out;
}

function maxAbsDiff(a: Float32Array, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('TinyCD export against the authors’ reference outputs', () => {
  const arrays = parseNpz(readFileSync(path.join(TINYCD, 'reference_outputs.npz')));

  it('ships at least one TinyCD model', () => {
    expect(shipped.length).toBeGreaterThan(0);
  });

  describe.each(shipped)('$weights', ({ card: cardPath, weights }) => {
    it.each(['levir', 'levir2', 'random'])(
      '%s: onnxruntime-node output within 1e-4 of the reference',
      async (reference) => {
        const model = await loadModel(cardPath, { provider: 'cpu', threads: 2 });
        try {
          const { mean, std } = model.card.normalisation;
          const prefix = `${weights}_${reference}_`;
          const expected = get(arrays, `${prefix}prob`);
          const [h, w] = expected.shape;
          const [before, after] =
            reference === 'random'
              ? [denormalised(get(arrays, `${prefix}before`)), denormalised(get(arrays, `${prefix}after`))]
              : [
                  appInput(get(arrays, `${prefix}before_u8`), mean, std),
                  appInput(get(arrays, `${prefix}after_u8`), mean, std),
                ];
          const [b, a] = model.card.inputs.map((i) => i.name);
          const result = await model.session.run({
            [b]: new ort.Tensor('float32', before, [1, 3, h, w]),
            [a]: new ort.Tensor('float32', after, [1, 3, h, w]),
          });
          const out = result[model.card.outputs[0].name];
          expect(out.dims).toEqual([1, 1, h, w]);
          expect(maxAbsDiff(out.data as Float32Array, expected.data)).toBeLessThanOrEqual(TOLERANCE);
        } finally {
          await model.session.release();
        }
      },
    );
  });
});
