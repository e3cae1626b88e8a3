import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordVariantAccuracy, roundFigures, variantLabel } from './variants';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('recording variant figures', () => {
  it('writes both figures into the named variant only, and refuses a file the card does not list', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-eval-variants-'));
    dirs.push(dir);
    const cardPath = path.join(dir, 'm.card.json');
    const other = { precision: 'fp16', file: 'm.fp16.onnx' };
    writeFileSync(
      cardPath,
      JSON.stringify({ name: 'm', variants: [other, { precision: 'int8', file: 'm.int8.onnx' }] }),
    );
    const figures = { accuracy: { oscd: { f1: 0.39 } }, fullPrecisionAccuracy: { oscd: { f1: 0.4 } } };
    recordVariantAccuracy(cardPath, 'm.int8.onnx', figures, 'npm run eval -- --variants');
    const card = JSON.parse(readFileSync(cardPath, 'utf8')) as { variants: Record<string, unknown>[] };
    expect(card.variants[0]).toEqual(other);
    expect(card.variants[1]).toMatchObject({ ...figures, evaluatedWith: 'npm run eval -- --variants' });
    expect(() => recordVariantAccuracy(cardPath, 'x.onnx', figures, 'e')).toThrow(/lists no variant x.onnx/);
  });

  it('rounds figures to four decimals and labels a variant by its precision', () => {
    expect(roundFigures({ aid: { top1: 0.901716, images: 1801 } })).toEqual({
      aid: { top1: 0.9017, images: 1801 },
    });
    expect(variantLabel('changemap-change', { precision: 'int8' })).toBe('changemap-change [int8]');
  });
});
