// Stand-ins for the imagery pair and the classifier, for tests and benchmarks of the regions service.
import type { ClassifierModelCard } from '../../core/models/modelCard';
import type { AlignedPairSource, GridSpec } from '../../core/raster/types';
import type { RegionClassifier } from './classifyRegions';

/** A before/after pair held in memory: band-planar unit-range float32 planes of the whole grid. */
export function memoryPairSource(
  grid: GridSpec,
  bands: number,
  before: Float32Array,
  after: Float32Array,
): AlignedPairSource {
  const W = grid.width;
  const H = grid.height;
  const cut = (src: Float32Array, x: number, y: number, w: number, h: number): Float32Array => {
    const out = new Float32Array(bands * w * h);
    for (let b = 0; b < bands; b++)
      for (let r = 0; r < h; r++)
        out.set(
          src.subarray(b * W * H + (y + r) * W + x, b * W * H + (y + r) * W + x + w),
          b * w * h + r * w,
        );
    return out;
  };
  return {
    grid,
    bands,
    async read(window) {
      const { x, y, width, height } = window;
      return {
        window,
        bands,
        before: cut(before, x, y, width, height),
        after: cut(after, x, y, width, height),
        valid: new Uint8Array(width * height).fill(1),
      };
    },
    async close() {},
  };
}

export const FAKE_CLASSIFIER_CARD: ClassifierModelCard = {
  schema: 'changemap.model-card/1',
  name: 'brightness-classifier',
  version: '0',
  description: 'Calls dark patches forest and bright ones bare ground (a test stand-in, not a model).',
  file: 'none.onnx',
  sha256: '0'.repeat(64),
  bands: ['red', 'green', 'blue'],
  normalisation: { unitScaling: 'datatype', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  gsdRangeM: [1, 30],
  training: { data: [], licence: 'none', command: '', runtime: '' },
  accuracy: {},
  task: 'land-cover-classification',
  inputs: [{ name: 'x', shape: ['n', 3, 32, 32], dtype: 'float32' }],
  outputs: [{ name: 'p', shape: ['n', 3], dtype: 'float32' }],
  inputSize: 32,
  inputGsdM: 10,
  classes: ['Forest', 'BareSoil', 'Construction'],
  landCover: { Forest: 'forest', BareSoil: 'bare/construction', Construction: 'bare/construction' },
  uncertainBelow: 0.5,
};

/**
 * Probability of "Forest" falls with the patch's mean (normalised) value: a dark patch is forest, a bright one
 * bare/construction. Each call is recorded, so tests can check batching.
 */
export function brightnessClassifier(
  card: ClassifierModelCard = FAKE_CLASSIFIER_CARD,
): RegionClassifier & { calls: number[] } {
  const calls: number[] = [];
  return {
    card,
    calls,
    async classify(batch, n) {
      calls.push(n);
      const per = batch.length / n;
      const out = new Float32Array(n * card.classes.length);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = i * per; k < (i + 1) * per; k++) s += batch[k];
        const mean = s / per; // about -2 (black) .. +2 (white)
        const forest = 1 / (1 + Math.exp(3 * mean));
        out[i * 3] = forest;
        out[i * 3 + 1] = (1 - forest) * 0.6;
        out[i * 3 + 2] = (1 - forest) * 0.4;
      }
      return out;
    },
  };
}

/** A pair computed on the fly (for benchmarks on big grids): smooth texture, the after date brighter. */
export function proceduralPairSource(grid: GridSpec, bands: number): AlignedPairSource {
  const texture = (b: number, x: number, y: number): number =>
    0.45 + 0.2 * Math.sin(x / 17 + b) * Math.cos(y / 13 - b) + 0.05 * Math.sin((x * y) / 97);
  return {
    grid,
    bands,
    async read(window) {
      const { x, y, width, height } = window;
      const n = width * height;
      const before = new Float32Array(bands * n);
      const after = new Float32Array(bands * n);
      for (let b = 0; b < bands; b++)
        for (let r = 0; r < height; r++)
          for (let c = 0; c < width; c++) {
            const v = texture(b, x + c, y + r);
            before[b * n + r * width + c] = v;
            after[b * n + r * width + c] = Math.min(1, v * 1.4);
          }
      return { window, bands, before, after, valid: new Uint8Array(n).fill(1) };
    },
    async close() {},
  };
}
