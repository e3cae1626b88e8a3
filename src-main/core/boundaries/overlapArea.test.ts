import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import { clippedMultiPolygonArea, convexPieces, convexWindow, overlapArea, overlapSide } from './overlapArea';
import { referenceOverlapArea } from './overlapReference.testutil';

const ring = (points: [number, number][]): Float64Array => Float64Array.from([...points, points[0]].flat());
const box = (x: number, y: number, w: number, h: number): Float64Array =>
  ring([
    [x, y],
    [x + w, y],
    [x + w, y + h],
    [x, y + h],
  ]);
/** A star-shaped (usually concave) ring around (cx, cy), counter-clockwise, radii from the list. */
const star = (cx: number, cy: number, radii: number[], phase = 0): Float64Array =>
  ring(
    radii.map((r, i) => {
      const a = phase + (2 * Math.PI * i) / radii.length;
      return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    }),
  );
const area = (a: FlatMultiPolygon, b: FlatMultiPolygon): number =>
  overlapArea(overlapSide(a), overlapSide(b));
/** The join's path: a cut into convex pieces (ear-clipped triangles for concave rings), b clipped to each. */
const piecewiseArea = (a: FlatMultiPolygon, b: FlatMultiPolygon): number => {
  const pieces = convexPieces(a);
  if (!pieces) throw new Error('not cut');
  return pieces.reduce((sum, p) => sum + p.sign * clippedMultiPolygonArea(b, p.window), 0);
};

// UTM-sized coordinates, as the join meets them. Radii of at least 10 keep the 4 x 4 hole inside its shell.
const X0 = 500_000;
const Y0 = 5_000_000;

describe('convexWindow', () => {
  it('takes convex rings either way round and refuses concave and self-crossing ones', () => {
    expect(convexWindow(box(0, 0, 2, 1))).not.toBeNull();
    expect(
      convexWindow(
        ring([
          [0, 0],
          [0, 1],
          [2, 1],
          [2, 0],
        ]),
      ),
    ).not.toBeNull(); // clockwise
    expect(convexWindow(star(0, 0, [2, 1, 2, 1, 2, 1]))).toBeNull(); // concave
    const pentagram = ring(
      [0, 2, 4, 1, 3].map((k) => [Math.cos((2 * Math.PI * k) / 5), Math.sin((2 * Math.PI * k) / 5)]),
    );
    expect(convexWindow(pentagram)).toBeNull(); // every turn goes left, but it winds twice
  });
});

describe('convexPieces', () => {
  it('ear-clips a concave ring into triangles that add up to it, and gives up on a self-crossing one', () => {
    const l = ring([
      [0, 0],
      [4, 0],
      [4, 1],
      [1, 1],
      [1, 4],
      [0, 4],
    ]);
    const pieces = convexPieces([[l]])!;
    expect(pieces.length).toBe(4);
    expect(
      pieces.reduce((s, p) => s + p.sign * clippedMultiPolygonArea([[box(-1, -1, 9, 9)]], p.window), 0),
    ).toBeCloseTo(7, 12);
    const bowtie = ring([
      [0, 0],
      [2, 2],
      [2, 0],
      [0, 2],
    ]);
    expect(convexPieces([[bowtie]])).toBeNull();
  });
});

describe('overlapArea', () => {
  it('gives the exact overlap of two boxes, and 0 apart', () => {
    expect(area([[box(X0, Y0, 10, 10)]], [[box(X0 + 5, Y0 + 3, 12, 12)]])).toBeCloseTo(35, 9);
    expect(area([[box(X0, Y0, 10, 10)]], [[box(X0 + 20, Y0, 5, 5)]])).toBe(0);
  });

  it('counts a subject hole out (convex window over a holed region)', () => {
    const holed: FlatMultiPolygon = [
      [
        box(X0, Y0, 10, 10),
        ring([
          [X0 + 2, Y0 + 2],
          [X0 + 2, Y0 + 4],
          [X0 + 4, Y0 + 4],
          [X0 + 4, Y0 + 2],
        ]),
      ],
    ];
    expect(area([[box(X0, Y0, 5, 5)]], holed)).toBeCloseTo(21, 9);
    expect(area(holed, [[box(X0, Y0, 5, 5)]])).toBeCloseTo(21, 9);
  });

  it('agrees with jsts on random convex, concave and holed polygons (both clipping paths)', () => {
    const radii = fc.array(fc.double({ min: 10, max: 60, noNaN: true }), { minLength: 3, maxLength: 14 });
    const centre = fc.tuple(
      fc.double({ min: -40, max: 40, noNaN: true }),
      fc.double({ min: -40, max: 40, noNaN: true }),
    );
    fc.assert(
      fc.property(radii, radii, centre, fc.boolean(), fc.boolean(), (ra, rb, [dx, dy], convexA, holeB) => {
        const a: FlatMultiPolygon = convexA
          ? [
              [
                star(
                  X0,
                  Y0,
                  ra.map(() => 50),
                  0.1,
                ),
              ],
            ]
          : [[star(X0, Y0, ra, 0.1)]];
        const shell = star(X0 + dx, Y0 + dy, rb, 0.3);
        const b: FlatMultiPolygon = holeB
          ? [
              [
                shell,
                ring([
                  [X0 + dx - 2, Y0 + dy - 2],
                  [X0 + dx - 2, Y0 + dy + 2],
                  [X0 + dx + 2, Y0 + dy + 2],
                  [X0 + dx + 2, Y0 + dy - 2],
                ]),
              ],
            ]
          : [[shell]];
        const expected = referenceOverlapArea(a, b);
        expect(Math.abs(area(a, b) - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, expected));
        // Convex pieces either way round: concave and holed features are ear-clipped.
        expect(Math.abs(piecewiseArea(a, b) - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, expected));
        expect(Math.abs(piecewiseArea(b, a) - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, expected));
      }),
      { numRuns: 300, seed: 14 },
    );
  });
});
