import fc from 'fast-check';
import { expect, it } from 'vitest';
import { applyUnitScaling, normaliseInPlace, unitScalingFor } from './scaling';

it('scales and normalises in one pass as the two steps do one after the other, clamp included', () => {
  const bands = 3;
  fc.assert(
    fc.property(
      fc
        .uint16Array({ minLength: bands, maxLength: 60 })
        .map((a) => a.subarray(0, a.length - (a.length % bands))),
      fc.array(
        fc.record({ p2: fc.integer({ min: 0, max: 30000 }), span: fc.integer({ min: 1, max: 30000 }) }),
        {
          minLength: bands,
          maxLength: bands,
        },
      ),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: bands, maxLength: bands }),
      fc.array(fc.double({ min: 0.01, max: 3, noNaN: true }), { minLength: bands, maxLength: bands }),
      (raw, stretches, mean, std) => {
        const scalings = stretches.map(({ p2, span }) =>
          unitScalingFor('uint16', { count: 1, mean: 0, std: 1, min: 0, max: 65535, p2, p98: p2 + span }),
        );
        const twoSteps = normaliseInPlace(applyUnitScaling(raw, bands, scalings), bands, mean, std);
        const onePass = applyUnitScaling(raw, bands, scalings, undefined, { mean, std });
        for (let i = 0; i < raw.length; i++) {
          expect(Math.abs(onePass[i] - twoSteps[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(twoSteps[i])));
        }
      },
    ),
  );
});

it('leaves unit scaling alone without a normalisation', () => {
  const raw = Uint8Array.from([0, 51, 255, 7, 8, 9]);
  expect(
    Array.from(applyUnitScaling(raw, 2, [unitScalingFor('uint8', null), unitScalingFor('uint8', null)])),
  ).toEqual(Array.from(raw, (v) => Math.fround(v / 255)));
});

it('scales 8-bit samples through a table to exactly what the arithmetic gives, clamp and normalisation included', () => {
  const bands = 2;
  fc.assert(
    fc.property(
      fc
        .uint8Array({ minLength: bands, maxLength: 80 })
        .map((a) => a.subarray(0, a.length - (a.length % bands))),
      fc.array(
        fc.record({
          scale: fc.double({ min: -0.1, max: 0.1, noNaN: true }),
          offset: fc.double({ min: -2, max: 2, noNaN: true }),
          clamp: fc.boolean(),
        }),
        { minLength: bands, maxLength: bands },
      ),
      fc.option(
        fc.record({
          mean: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: bands, maxLength: bands }),
          std: fc.array(fc.double({ min: 0.01, max: 3, noNaN: true }), {
            minLength: bands,
            maxLength: bands,
          }),
        }),
        { nil: undefined },
      ),
      (raw, scalings, norm) => {
        const viaTable = applyUnitScaling(raw, bands, scalings, undefined, norm);
        const viaArithmetic = applyUnitScaling(Float32Array.from(raw), bands, scalings, undefined, norm);
        expect(Array.from(viaTable)).toEqual(Array.from(viaArithmetic));
      },
    ),
  );
});
