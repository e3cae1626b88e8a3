import { describe, expect, it } from 'vitest';
import { changeModelCard, type ChangeModelCard } from '../../src-main/core/models/modelCard';
import { changeCardJson } from '../../src-main/core/models/testing/testCards';
import type { ChipModel } from './changeInference';
import { AUTO, changeRows, CVA, emptyTally, scoreScene } from './changeScoring';

const chip = 16;

/** A card as the schema wants it, for a model of the given pixel-size range. */
function card(name: string, gsdRangeM: [number, number], threshold: number): ChangeModelCard {
  return changeModelCard.parse(
    changeCardJson({
      name,
      file: `${name}.onnx`,
      sha256: '0'.repeat(64),
      gsdRangeM,
      chipSize: chip,
      threshold,
    }),
  );
}

/** A model answering `value` everywhere. */
const constant = (c: ChangeModelCard, value: number): ChipModel => ({
  card: c,
  predict: async (_b, _a, n) => new Float32Array(n * chip * chip).fill(value),
});

/** 20 x 10 uint8 scene whose left half changed (after brighter); truth marks the left half. */
function scene(gsdM: number) {
  const width = 20;
  const height = 10;
  const n = width * height;
  const before = new Uint8Array(3 * n).fill(60);
  const after = new Uint8Array(3 * n).fill(60);
  const truth = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (i % width < width / 2) {
      truth[i] = 1;
      for (let b = 0; b < 3; b++) after[b * n + i] = 200;
    }
  }
  return { width, height, before, after, truth, sampleType: 'uint8' as const, gsdM };
}

describe('scoreScene', () => {
  // "buildings" says change everywhere and is the specialist for 0.3-1 m; "general" says no change, 0.5-20 m.
  const buildings = constant(card('buildings', [0.3, 1], 0.5), 0.9);
  const general = constant(card('general', [0.5, 20], 0.15), 0.1);
  const models = [general, buildings];

  it('scores every model at its own threshold, and the automatic choice as the model picked for the pixel size', async () => {
    const vhr = emptyTally();
    const all = emptyTally();
    await scoreScene(models, scene(0.5), [vhr, all]);
    expect(vhr.counts.get('buildings')).toEqual({ tp: 100, fp: 100, fn: 0, tn: 0 });
    expect(vhr.counts.get('general')).toEqual({ tp: 0, fp: 0, fn: 100, tn: 100 });
    expect(vhr.counts.get(AUTO)).toEqual(vhr.counts.get('buildings'));
    expect([...vhr.chosen]).toEqual(['buildings']);
    const cva = vhr.counts.get(CVA)!;
    expect(cva.tp + cva.fp + cva.fn + cva.tn).toBe(200);

    const coarse = emptyTally();
    await scoreScene(models, scene(2), [coarse, all]);
    expect(coarse.counts.get(AUTO)).toEqual(coarse.counts.get('general'));
    expect(all.scenes).toBe(2);
    expect(all.changed).toBe(200);
    // Pooled over both scenes, the automatic choice took one scene from each model.
    expect(all.counts.get(AUTO)).toEqual({ tp: 100, fp: 100, fn: 100, tn: 100 });
    expect([...all.chosen].sort()).toEqual(['buildings', 'general']);
  });

  it('prints a row per model (with its threshold), the automatic choice naming its picks, and CVA', async () => {
    const t = emptyTally();
    await scoreScene(models, scene(0.5), [t]);
    const rows = changeRows([['levir', t]], models);
    expect(rows.slice(1).map((r) => r[4])).toEqual([
      'general (0.15)',
      'buildings (0.5)',
      `${AUTO}: buildings`,
      `${CVA} (Otsu per scene)`,
    ]);
    expect(rows[2].slice(5)).toEqual(['0.500', '1.000', '0.667', '0.500']);
    expect(rows[1][0]).toBe('levir');
  });
});
