import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  copyChip,
  cutChip,
  cutSampleChip,
  markNonFiniteInvalid,
  normalisedFill,
  normalisePairInPlace,
  rowsAllValid,
} from './chips';
import { mapSample } from '../raster/scaling';
import type { Normalisation } from '../raster/types';

/** One date's normalisation as a plain per-band loop (the run's code before the fused pass): what
 * normalisePairInPlace must match, value for value. */
function normaliseOneDate(planes: Float32Array, valid: Uint8Array, bands: number, norm: Normalisation): void {
  const n = valid.length;
  for (let b = 0; b < bands; b++) {
    const inv = 1 / norm.std[b];
    for (let i = 0; i < n; i++) {
      const o = b * n + i;
      planes[o] = valid[i] !== 0 ? (planes[o] - norm.mean[b]) * inv : normalisedFill(norm, b);
    }
  }
}

describe('cutChip', () => {
  it('normalises, zero-fills invalid pixels and the part beyond the source', () => {
    const source = { x: 10, y: 10, width: 4, height: 3 };
    const planes = new Float32Array(2 * 12).map((_, i) => i);
    const valid = new Uint8Array(12).fill(1);
    valid[5] = 0;
    const dest = new Float32Array(2 * 2 * 16).fill(9);
    cutChip(dest, 1, planes, valid, source, 2, 12, 11, 4, { mean: [1, 0], std: [2, 1] });
    const base = 2 * 16;
    // chip pixel (0,0) = source (12,11) -> index 1*4+2 = 6 -> (6-1)/2
    expect(dest[base + 0]).toBeCloseTo(2.5);
    // source (11,11) = index 5 is invalid, but it lies left of the chip; chip (1,0) = source (13,11) = 7
    expect(dest[base + 1]).toBeCloseTo(3);
    // rows beyond the source's last row are zero
    expect(dest[base + 2 * 4]).toBe(0);
    // band 1 at chip (0,0): 12 + 6
    expect(dest[base + 16]).toBeCloseTo(18);
    // slot 0 untouched
    expect(dest[0]).toBe(9);
  });
});

describe('normalisePairInPlace + copyChip', () => {
  it('give the same chips as cutChip, inside the window and hanging over its edges', () => {
    const source = { x: 5, y: 3, width: 23, height: 17 };
    const n = source.width * source.height;
    const norm = { mean: [0.4, 0.5, 0.1], std: [0.2, 0.3, 0.5] };
    const planes = new Float32Array(3 * n).map((_, i) => Math.sin(i * 0.37));
    const valid = new Uint8Array(n).map((_, i) => (i % 7 === 3 ? 0 : 1));
    const normalised = planes.slice();
    normalisePairInPlace(normalised, planes.slice(), valid, 3, norm);
    const chip = 8;
    for (const [x, y] of [
      [5, 3],
      [12, 9],
      [24, 16],
      [1, 0],
    ]) {
      const expected = new Float32Array(2 * 3 * chip * chip).fill(7);
      const actual = new Float32Array(2 * 3 * chip * chip).fill(7);
      cutChip(expected, 1, planes, valid, source, 3, x, y, chip, norm);
      copyChip(actual, 1, normalised, source, 3, x, y, chip, norm);
      expect(Array.from(actual)).toEqual(Array.from(expected));
    }
  });
});

describe('fill of padding and invalid pixels', () => {
  it('is the card fill after normalisation, not 0, when the card names one (identity-normalised models)', () => {
    const norm = { mean: [0, 0], std: [1, 1], fill: [0.485, 0.456] };
    const source = { x: 0, y: 0, width: 2, height: 2 };
    const planes = new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    const valid = new Uint8Array([1, 0, 1, 1]);
    const cut = new Float32Array(2 * 3 * 3);
    cutChip(cut, 0, planes, valid, source, 2, 0, 0, 3, norm);
    // Band 0: row 0 = 0.1, fill (invalid), fill (beyond the edge).
    expect(Array.from(cut.subarray(0, 3))).toEqual([0.1, 0.485, 0.485].map(Math.fround));
    expect(cut[9 + 8]).toBe(Math.fround(0.456));
    const normalised = planes.slice();
    normalisePairInPlace(normalised, planes.slice(), valid, 2, norm);
    const copied = new Float32Array(cut.length);
    copyChip(copied, 0, normalised, source, 2, 0, 0, 3, norm);
    expect(copied).toEqual(cut);
  });

  it('stays the band mean (0) without a card fill', () => {
    const norm = { mean: [0.5], std: [0.25] };
    const cut = new Float32Array(4);
    cutChip(
      cut,
      0,
      new Float32Array([0.75]),
      new Uint8Array([1]),
      { x: 0, y: 0, width: 1, height: 1 },
      1,
      0,
      0,
      2,
      norm,
    );
    expect(Array.from(cut)).toEqual([1, 0, 0, 0]);
  });
});

describe('markNonFiniteInvalid', () => {
  it('marks pixels with NaN or an infinite value in any band invalid and counts them', () => {
    const planes = new Float32Array(2 * 6).fill(0.5);
    planes[1] = Number.NaN;
    planes[6 + 3] = Infinity;
    planes[6 + 4] = -Infinity;
    planes[6 + 1] = Number.NaN; // pixel 1 again, counted once
    const valid = new Uint8Array(6).fill(1);
    valid[0] = 0;
    expect(markNonFiniteInvalid(planes, 2, valid)).toBe(3);
    expect([...valid]).toEqual([0, 0, 1, 0, 0, 1]);
  });
});

describe('markNonFiniteInvalid on integer rasters', () => {
  it('finds nothing to mark and leaves the mask alone', () => {
    const valid = new Uint8Array([1, 0, 1]);
    expect(markNonFiniteInvalid(new Uint16Array([1, 2, 65535]), 1, valid)).toBe(0);
    expect([...valid]).toEqual([1, 0, 1]);
  });
});

describe('normalisePairInPlace', () => {
  const special = fc.constantFrom(Number.NaN, Infinity, -Infinity);
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.float({ min: -2, max: 2, noNaN: true }) },
    { weight: 1, arbitrary: special },
  );
  it('gives exactly what the separate non-finite and normalisation passes give, marks included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.infiniteStream(value),
        fc.infiniteStream(fc.boolean()),
        (bands, n, withFill, values, validity) => {
          const norm = {
            mean: Array.from({ length: bands }, (_, b) => 0.1 * b + 0.3),
            std: Array.from({ length: bands }, (_, b) => 0.2 + 0.05 * b),
            ...(withFill ? { fill: Array.from({ length: bands }, (_, b) => 0.05 * b) } : {}),
          };
          const before = Float32Array.from({ length: bands * n }, () => values.next().value);
          const after = Float32Array.from({ length: bands * n }, () => values.next().value);
          const valid = Uint8Array.from({ length: n }, () => (validity.next().value ? 1 : 0));
          const expected = { before: before.slice(), after: after.slice(), valid: valid.slice() };
          const expectedMarked =
            markNonFiniteInvalid(expected.before, bands, expected.valid) +
            markNonFiniteInvalid(expected.after, bands, expected.valid);
          normaliseOneDate(expected.before, expected.valid, bands, norm);
          normaliseOneDate(expected.after, expected.valid, bands, norm);
          expect(normalisePairInPlace(before, after, valid, bands, norm)).toBe(expectedMarked);
          expect(valid).toEqual(expected.valid);
          expect(before).toEqual(expected.before);
          expect(after).toEqual(expected.after);
        },
      ),
    );
  });
});

describe('cutSampleChip', () => {
  it('writes, from 8- or 16-bit samples and their maps, the chip copyChip cuts from the same read as float planes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(256, 65536),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: -6, max: 12 }),
        fc.integer({ min: -6, max: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom(4, 29),
        fc.boolean(),
        fc.boolean(),
        (size, width, height, chipX, chipY, seed, invalidEvery, clamp, rowsKnown) => {
          const bands = 2;
          const chip = 5;
          const source = { x: 1, y: 2, width, height };
          const n = width * height;
          const norm = { mean: [0.3, 0.6], std: [0.2, 0.1], fill: [0.5, 0.25] };
          const values = Array.from({ length: bands * n }, (_, i) => (i * 37 + seed) % size);
          const samples = size === 256 ? Uint8Array.from(values) : Uint16Array.from(values);
          // Every 4th pixel invalid, or every 29th (most rows then all valid: cut without the per-pixel test).
          const valid = Uint8Array.from({ length: n }, (_, i) => ((i + seed) % invalidEvery === 0 ? 0 : 1));
          // A stretch (clamped to a middle part of the range) or a plain scaling, as sampleMap makes them.
          const maps = [0, 1].map((b) => ({
            scale: 1 / ((size - 1) * norm.std[b]),
            offset: -norm.mean[b] / norm.std[b] + b / 7,
            lo: clamp ? -1 : -Infinity,
            hi: clamp ? 1.5 : Infinity,
            clamp,
          }));
          // The float read of the same pixels: each sample's mapped value, the fill where invalid.
          const planes = Float32Array.from(samples, (v, i) => {
            const b = Math.floor(i / n);
            return valid[i % n] ? mapSample(maps[b], v) : normalisedFill(norm, b);
          });
          // Rows known to be all valid skip the per-pixel test; unknown ones (all 0) are tested pixel by pixel.
          const validRows = rowsKnown ? rowsAllValid(valid, width) : new Uint8Array(height);
          const expected = new Float32Array(2 * bands * chip * chip).fill(Number.NaN);
          const actual = new Float32Array(2 * bands * chip * chip).fill(Number.NaN);
          copyChip(expected, 1, planes, source, bands, chipX, chipY, chip, norm);
          cutSampleChip(
            actual,
            1,
            { samples, maps, valid, validRows },
            source,
            bands,
            chipX,
            chipY,
            chip,
            norm,
          );
          expect(actual).toEqual(expected);
        },
      ),
    );
  });
});

describe('rowsAllValid', () => {
  it('marks exactly the rows with no invalid pixel', () => {
    const valid = Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(rowsAllValid(valid, 3))).toEqual([1, 0, 1, 0]);
    expect(Array.from(rowsAllValid(valid, 4))).toEqual([0, 1, 0]);
  });
});
