import type Feature from 'ol/Feature';
import type { Style } from 'ol/style';
import { describe, expect, it } from 'vitest';
import { mapSpaceOf } from './mapSpace';
import { REVIEW_STYLES, regionLayer, type OutlineRecord } from './regionLayer';

const square = (x: number): [number, number][][][] => [
  [
    [
      [x, 48],
      [x + 0.01, 48],
      [x + 0.01, 48.01],
      [x, 48.01],
      [x, 48],
    ],
  ],
];

async function loadedLayer(records: OutlineRecord[]) {
  const outlines = regionLayer(async () => records, mapSpaceOf({ kind: 'wgs84' }));
  const loaded = new Promise<void>((resolve) => outlines.onLoaded(resolve));
  outlines.layer.getSource()!.loadFeatures([-2e7, -2e7, 2e7, 2e7], 1000, 'EPSG:3857' as never);
  await loaded;
  const styleOf = (fid: number): Style[] | undefined => {
    const feature = outlines.layer.getSource()!.getFeatureById(fid) as Feature;
    return outlines.layer.getStyleFunction()!(feature, 1) as Style[] | undefined;
  };
  return { outlines, styleOf };
}

describe('region outlines show the review', () => {
  it('styles confirmed, rejected and unreviewed regions apart, and hides rejected ones on request', async () => {
    const { outlines, styleOf } = await loadedLayer([
      { fid: 1, transition: 'cropland -> residential', reviewState: 'unreviewed', outline: square(15) },
      { fid: 2, transition: 'cropland -> residential', reviewState: 'confirmed', outline: square(15.1) },
      { fid: 3, transition: 'cropland -> residential', reviewState: 'rejected', outline: square(15.2) },
    ]);
    const unreviewed = styleOf(1)!;
    const confirmed = styleOf(2)!;
    const rejected = styleOf(3)!;
    expect(unreviewed).toHaveLength(1);
    // Confirmed: a dark halo under the class colour.
    expect(confirmed).toHaveLength(2);
    expect(confirmed[0].getStroke()!.getColor()).toBe(REVIEW_STYLES.confirmed.stroke);
    // Rejected: grey and dashed.
    expect(rejected[0].getStroke()!.getColor()).toBe(REVIEW_STYLES.rejected.stroke);
    expect(rejected[0].getStroke()!.getLineDash()).toEqual(REVIEW_STYLES.rejected.dash);
    expect(unreviewed[0].getStroke()!.getLineDash()).toBeNull();

    outlines.setHideRejected(true);
    expect(styleOf(3)).toBeUndefined();
    expect(styleOf(1)).toBeDefined();
    // A review saved after loading restyles the outline at once.
    outlines.setReviewState(1, 'rejected');
    expect(styleOf(1)).toBeUndefined();
    outlines.setHideRejected(false);
    expect(styleOf(1)![0].getStroke()!.getColor()).toBe(REVIEW_STYLES.rejected.stroke);
  });
});

describe('region outlines in a project without georeference', () => {
  it('loads the outlines of the whole image in pixels, not only those within 180 x 85 pixels of its corner', async () => {
    const space = mapSpaceOf({
      kind: 'pixel',
      width: 2000,
      height: 1500,
      pixelSizeM: null,
      tiles: { nativeZoom: 3, maxZoom: 6, tileSize: 256 },
    });
    const asked: number[][] = [];
    const outlines = regionLayer(async (extent) => {
      asked.push(extent);
      return [];
    }, space);
    const loaded = new Promise<void>((resolve) => outlines.onLoaded(resolve));
    outlines.layer.getSource()!.loadFeatures([0, -1500, 2000, 0], 8, space.projection as never);
    await loaded;
    expect(asked).toEqual([[0, -1500, 2000, 0]]);
  });
});
