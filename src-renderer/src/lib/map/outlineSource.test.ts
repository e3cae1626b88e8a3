import { describe, expect, it } from 'vitest';
import { mapSpaceOf } from './mapSpace';
import { outlineSource, type ApiExtent, type OutlineFeature } from './outlineSource';

// Wider than the web mercator world, so the lon/lat asked for is clamped.
const WORLD = [-3e7, -3e7, 3e7, 3e7];
const square = (x: number): [number, number][][][] => [
  [
    [
      [x, 48],
      [x + 0.01, 48],
      [x + 0.01, 48.01],
      [x, 48],
    ],
  ],
];
const outline = (id: number | string, x: number): OutlineFeature => ({
  id,
  outline: square(x),
  properties: { tag: `t${id}` },
});

describe('outline source', () => {
  it('asks for the view in lon/lat and adds each outline once, in view coordinates, with its properties', async () => {
    const asked: ApiExtent[] = [];
    const outlines = outlineSource(
      async (extent) => {
        asked.push(extent);
        return [outline(1, 15), outline(2, 16)];
      },
      mapSpaceOf({ kind: 'wgs84' }),
    );
    let loads = 0;
    outlines.onLoaded(() => loads++);
    const load = () =>
      new Promise<void>((resolve) => {
        outlines.onLoaded(resolve);
        outlines.source.loadFeatures(WORLD, 1000, 'EPSG:3857' as never);
      });
    await load();
    expect(asked[0]).toEqual([-180, -85, 180, 85]);
    const feature = outlines.source.getFeatureById(1)!;
    expect(feature.get('tag')).toBe('t1');
    // Web mercator metres, not degrees.
    expect(feature.getGeometry()!.getExtent()[0]).toBeCloseTo(1_669_792, 0);
    outlines.reload();
    await load();
    expect(outlines.source.getFeatures()).toHaveLength(2);
    expect(loads).toBe(2);
  });

  it('drops an answer that comes back after the source was cleared', async () => {
    let answer: (records: OutlineFeature[]) => void = () => {};
    const outlines = outlineSource(
      () => new Promise<OutlineFeature[]>((resolve) => (answer = resolve)),
      mapSpaceOf({ kind: 'wgs84' }),
    );
    outlines.source.loadFeatures(WORLD, 1000, 'EPSG:3857' as never);
    outlines.clear();
    answer([outline('a', 15)]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(outlines.source.getFeatures()).toHaveLength(0);
  });
});
