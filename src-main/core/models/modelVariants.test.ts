import { describe, expect, it } from 'vitest';
import { modelCard, type ModelCard, type ModelVariant } from './modelCard';
import { chooseModelFile, eligibleVariants, variantVerdict, VARIANT_MIN_SPEEDUP } from './modelVariants';
import { changeCardJson } from './testing/testCards';

const full = {
  oscd: { f1: 0.396, precision: 0.33 },
  levir: { f1: 0.69, precision: 0.72 },
};

function variant(overrides: Partial<ModelVariant> = {}): ModelVariant {
  return {
    precision: 'int8',
    file: 'm.int8.onnx',
    sha256: 'b'.repeat(64),
    made: 'test',
    accuracy: { oscd: { f1: 0.392, precision: 0.2 }, levir: { f1: 0.695, precision: 0.7 } },
    fullPrecisionAccuracy: full,
    evaluatedWith: 'test',
    ...overrides,
  };
}

function card(variants: ModelVariant[]): ModelCard {
  return modelCard.parse(changeCardJson({ variants }));
}

describe('variantVerdict', () => {
  it('passes a variant within 0.01 F1 on every dataset (other metrics do not count)', () => {
    const verdict = variantVerdict('change-detection', variant());
    expect(verdict.keepsAccuracy).toBe(true);
    expect(verdict.reason).toContain('0.0040 f1 on oscd');
  });

  it('fails a variant that loses more than 0.01 on one dataset, or lacks a dataset or any figures', () => {
    const lossy = variant({ accuracy: { oscd: { f1: 0.385 }, levir: { f1: 0.8 } } });
    expect(variantVerdict('change-detection', lossy)).toEqual({
      keepsAccuracy: false,
      reason: 'm.int8.onnx loses 0.0110 f1 on oscd (bar 0.01)',
    });
    expect(
      variantVerdict('change-detection', variant({ accuracy: { oscd: { f1: 0.4 } } })).keepsAccuracy,
    ).toBe(false);
    expect(variantVerdict('change-detection', variant({ accuracy: undefined })).keepsAccuracy).toBe(false);
    expect(variantVerdict('change-detection', variant({ fullPrecisionAccuracy: {} })).keepsAccuracy).toBe(
      false,
    );
  });

  it('holds a land-cover variant to both top-1 and planner-class accuracy', () => {
    const lc = (top1: number, landCoverAccuracy: number) =>
      variant({
        accuracy: { aid: { top1, landCoverAccuracy } },
        fullPrecisionAccuracy: { aid: { top1: 0.904, landCoverAccuracy: 0.932 } },
      });
    expect(variantVerdict('land-cover-classification', lc(0.9, 0.93)).keepsAccuracy).toBe(true);
    expect(variantVerdict('land-cover-classification', lc(0.9, 0.92)).keepsAccuracy).toBe(false);
    expect(variantVerdict('land-cover-classification', lc(0.89, 0.932)).keepsAccuracy).toBe(false);
  });
});

describe('chooseModelFile', () => {
  const passing = variant();
  const failing = variant({
    file: 'm.fp16.onnx',
    precision: 'fp16',
    accuracy: { oscd: { f1: 0.3 }, levir: { f1: 0.69 } },
  });

  it('takes the variant only when measured faster on this machine', () => {
    const c = card([passing]);
    expect(chooseModelFile(c, { 'm.onnx': 2.0, 'm.int8.onnx': 3.0 })).toMatchObject({
      file: 'm.int8.onnx',
      precision: 'int8',
    });
    expect(chooseModelFile(c, { 'm.onnx': 2.0, 'm.int8.onnx': 3.0 }).reason).toContain('1.50x');
    expect(chooseModelFile(c, { 'm.onnx': 2.0, 'm.int8.onnx': 1.5 }).file).toBe('m.onnx');
    // Within timing noise: the full-precision file stays.
    expect(chooseModelFile(c, { 'm.onnx': 2.0, 'm.int8.onnx': 2.0 * VARIANT_MIN_SPEEDUP * 0.99 }).file).toBe(
      'm.onnx',
    );
  });

  it('never takes a variant whose recorded accuracy fails the bar, however fast', () => {
    const c = card([failing, passing]);
    expect(eligibleVariants(c).map((v) => v.file)).toEqual(['m.int8.onnx']);
    expect(chooseModelFile(c, { 'm.onnx': 1, 'm.fp16.onnx': 100, 'm.int8.onnx': 1.2 }).file).toBe(
      'm.int8.onnx',
    );
    expect(chooseModelFile(card([failing]), { 'm.onnx': 1, 'm.fp16.onnx': 100 }).file).toBe('m.onnx');
  });

  it('keeps full precision without measurements, or when a variant was not measured', () => {
    const c = card([passing]);
    expect(chooseModelFile(c, {}).file).toBe('m.onnx');
    expect(chooseModelFile(c, { 'm.onnx': 2 }).file).toBe('m.onnx');
    expect(chooseModelFile(card([]), { 'm.onnx': 2 }).precision).toBe('full');
  });
});
