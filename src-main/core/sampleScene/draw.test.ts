import { describe, expect, it } from 'vitest';
import { fillPolygon, rotatedRectangle, strokePolyline } from './draw';

describe('fillPolygon', () => {
  it('fills the pixels whose centres are inside', () => {
    // A 4 x 3 rectangle from (1,1) to (5,4): pixels x 1..4, y 1..3 have their centres inside -> 12 pixels.
    const hits: string[] = [];
    fillPolygon(
      10,
      10,
      [
        [1, 1],
        [5, 1],
        [5, 4],
        [1, 4],
      ],
      (x, y) => hits.push(`${x},${y}`),
    );
    expect(hits.length).toBe(12);
    expect(hits).toContain('1,1');
    expect(hits).toContain('4,3');
    expect(hits).not.toContain('5,1');
  });

  it('clips to the grid', () => {
    let n = 0;
    fillPolygon(
      4,
      4,
      [
        [-5, -5],
        [10, -5],
        [10, 10],
        [-5, 10],
      ],
      () => n++,
    );
    expect(n).toBe(16);
  });

  it('covers a rotated rectangle with about its area', () => {
    let n = 0;
    fillPolygon(100, 100, rotatedRectangle(50, 50, 30, 10, 0.6), () => n++);
    expect(Math.abs(n - 300)).toBeLessThan(20);
  });
});

describe('strokePolyline', () => {
  it('reports the distance from the line', () => {
    const d = new Map<string, number>();
    strokePolyline(
      10,
      10,
      [
        [0, 5],
        [10, 5],
      ],
      1.6,
      (x, y, dist) => d.set(`${x},${y}`, dist),
    );
    // Row 4 centre (y 4.5) is 0.5 from y=5; row 3 (3.5) is 1.5; row 2 (2.5) is 2.5, outside.
    expect(d.get('3,4')).toBeCloseTo(0.5);
    expect(d.get('3,3')).toBeCloseTo(1.5);
    expect(d.has('3,2')).toBe(false);
  });
});
