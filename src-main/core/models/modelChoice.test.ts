import { describe, expect, it } from 'vitest';
import { chooseChangeModel, formatGsd, gsdRangeWarning, preferredRange } from './modelChoice';
import { modelCard, type ChangeModelCard, type ClassifierModelCard } from './modelCard';
import { changeCardJson } from './testing/testCards';

function changeCard(overrides: Partial<ChangeModelCard>): ChangeModelCard {
  return modelCard.parse(changeCardJson({ file: 'x.onnx', ...overrides })) as ChangeModelCard;
}

const general = changeCard({ name: 'changemap-change', detects: 'any change of land cover' });
const buildings = changeCard({
  name: 'tinycd-building',
  gsdRangeM: [0.25, 1.2],
  preferredGsdM: [0.3, 1],
  detects: 'new and demolished buildings',
});
const landCover = {
  ...general,
  task: 'land-cover-classification',
  name: 'landcover',
} as unknown as ClassifierModelCard;

describe('chooseChangeModel', () => {
  it('picks the building model at very high resolution and says why', () => {
    const choice = chooseChangeModel([general, buildings], 0.5);
    expect(choice.modelId).toBe('tinycd-building');
    expect(choice.card).toBe(buildings);
    expect(choice.reason).toBe(
      'Imagery at 0.5 m suits tinycd-building, made for 0.3–1 m pixels; it detects new and demolished buildings.',
    );
    expect(choice.warnings).toEqual([]);
  });

  it('picks the general model where the specialist is not at home, even inside its outer range', () => {
    // 1.1 m is inside the building model's gsdRangeM but outside its preferred range; the general model prefers it.
    for (const p of [1.1, 1.5, 3, 10, 20]) {
      const choice = chooseChangeModel([buildings, general], p);
      expect(choice.modelId, `${p} m`).toBe('changemap-change');
      expect(choice.warnings).toEqual([]);
    }
    expect(chooseChangeModel([general, buildings], 10).reason).toBe(
      'Imagery at 10 m suits changemap-change, made for 0.5–20 m pixels; it detects any change of land cover.',
    );
  });

  it('falls back to a model whose outer range holds the imagery, nearest preferred range first', () => {
    const a = changeCard({ name: 'a', gsdRangeM: [1, 30], preferredGsdM: [1, 2] });
    const b = changeCard({ name: 'b', gsdRangeM: [1, 30], preferredGsdM: [8, 12] });
    const choice = chooseChangeModel([a, b], 20);
    expect(choice.modelId).toBe('b');
    expect(choice.reason).toBe('Imagery at 20 m is within the range b was trained for (1–30 m).');
    expect(chooseChangeModel([a, b], 3).modelId).toBe('a');
  });

  it('warns when the imagery lies outside every model, and takes the nearest on a log scale', () => {
    const choice = chooseChangeModel([general, buildings], 30);
    expect(choice.modelId).toBe('changemap-change');
    expect(choice.warnings).toEqual([
      "Imagery at 30 m is outside every model's ground sampling range (closest: changemap-change, 0.5–20 m); expect missed and false changes.",
    ]);
    expect(choice.reason).toMatch(
      /^Imagery at 30 m is coarser than any model was trained for; changemap-change/,
    );
    // 0.1 m: the building model's 0.25 m floor is nearer than the general model's 0.5 m.
    const fine = chooseChangeModel([general, buildings], 0.1);
    expect(fine.modelId).toBe('tinycd-building');
    expect(fine.warnings[0]).toMatch(/^Imagery at 0.1 m is outside every model's/);
  });

  it('uses the widest-range model with a warning when the pixel size is unknown', () => {
    for (const p of [null, Number.NaN, 0]) {
      const choice = chooseChangeModel([buildings, general], p);
      expect(choice.modelId).toBe('changemap-change');
      expect(choice.reason).toMatch(/pixel size is unknown/);
      expect(choice.warnings).toHaveLength(1);
    }
  });

  it('treats a range edge read with rounding error as inside', () => {
    expect(chooseChangeModel([general], 0.4999999).warnings).toEqual([]);
    expect(chooseChangeModel([general], 20.000001).warnings).toEqual([]);
  });

  it('prefers the later version of equally suited models, ignores other tasks, refuses no models', () => {
    const v2 = changeCard({ name: 'changemap-change', version: '2.0.0' });
    expect(chooseChangeModel([landCover, general, v2], 3).card).toBe(v2);
    expect(chooseChangeModel([v2, general], 3).card).toBe(v2);
    expect(() => chooseChangeModel([landCover], 3)).toThrow(
      expect.objectContaining({ code: 'MODEL_NONE_FOR_CHANGE' }),
    );
  });

  it('names the model only when the card does not say what it detects', () => {
    const plain = changeCard({ name: 'plain' });
    expect(chooseChangeModel([plain], 2).reason).toBe(
      'Imagery at 2 m suits plain, made for 0.5–20 m pixels.',
    );
  });
});

describe('preferredRange and gsdRangeWarning', () => {
  it('clips a preferred range to the outer range and ignores one that lies outside it', () => {
    expect(preferredRange(changeCard({ gsdRangeM: [1, 10], preferredGsdM: [0.5, 4] }))).toEqual([1, 4]);
    expect(preferredRange(changeCard({ gsdRangeM: [1, 10], preferredGsdM: [20, 40] }))).toEqual([1, 10]);
    expect(preferredRange(general)).toEqual([0.5, 20]);
  });

  it('warns only outside the range and says which side', () => {
    expect(gsdRangeWarning(buildings, 0.5)).toBeNull();
    expect(gsdRangeWarning(buildings, null)).toBeNull();
    expect(gsdRangeWarning(buildings, 10)).toBe(
      'Imagery at 10 m is coarser than the ground sampling range of tinycd-building (0.25–1.2 m); expect missed and false changes.',
    );
    expect(gsdRangeWarning(general, 0.3)).toMatch(/^Imagery at 0.3 m is finer than/);
  });

  it('formats metres with at most two significant digits', () => {
    expect([0.3, 0.25, 1.5, 10, 30, 2.994].map(formatGsd)).toEqual([
      '0.3 m',
      '0.25 m',
      '1.5 m',
      '10 m',
      '30 m',
      '3 m',
    ]);
  });
});
