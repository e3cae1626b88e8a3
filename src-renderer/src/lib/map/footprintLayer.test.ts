import fc from 'fast-check';
import type Feature from 'ol/Feature';
import type { Style, Text } from 'ol/style';
import { describe, expect, it } from 'vitest';
import { FOOTPRINT_LABEL, footprintLabelOffsets, footprintLayer } from './footprintLayer';
import { mapSpaceOf } from './mapSpace';

type Box = { x: number; y: number; w: number; h: number };

/** The label's box on screen for an anchor at screen pixel (ax, ay), as OpenLayers draws left-aligned, middle text. */
function labelBox(ax: number, ay: number, offsetY: number): Box {
  const { widthPx: w, heightPx: h, offsetXPx } = FOOTPRINT_LABEL;
  return { x: ax + offsetXPx, y: ay + offsetY - h / 2, w, h };
}
const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('footprint labels', () => {
  it('never overlap, wherever the two outlines put their corners and at any zoom', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.double({ min: -1e5, max: 1e5, noNaN: true }),
          fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        ),
        fc.tuple(
          fc.double({ min: -200, max: 200, noNaN: true }),
          fc.double({ min: -200, max: 200, noNaN: true }),
        ),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (before, [dx, dy], resolution) => {
          const after = [before[0] + dx, before[1] + dy];
          const offsets = footprintLabelOffsets(before, after, resolution);
          const beforeBox = labelBox(0, 0, offsets.before);
          const afterBox = labelBox(dx / resolution, -dy / resolution, offsets.after);
          expect(overlap(beforeBox, afterBox)).toBe(false);
          // Each label stays next to its own corner: "before" above it, "after" below it.
          expect(offsets.before).toBeLessThan(0);
          expect(offsets.after).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('keep their usual places when the outlines are apart or only one is shown', () => {
    expect(footprintLabelOffsets([0, 0], [1000, 0], 1)).toEqual({ before: -10, after: 10 });
    expect(footprintLabelOffsets([0, 0], null, 1)).toEqual({ before: -10, after: 10 });
    // Equal outlines: the usual offsets already keep the labels apart.
    expect(footprintLabelOffsets([0, 0], [0, 0], 5)).toEqual({ before: -10, after: 10 });
  });

  it('draws the labels with those offsets: "after" moves down when its corner lies just above "before"\'s', () => {
    const footprints = footprintLayer(mapSpaceOf({ kind: 'wgs84' }));
    const square = (x: number, y: number): [number, number][] => [
      [x, y],
      [x + 1, y],
      [x + 1, y + 1],
      [x, y + 1],
      [x, y],
    ];
    footprints.setFootprints({ before: square(10, 48), after: square(10, 48.0001) });
    const source = footprints.layer.getSource()!;
    const resolution = source.getFeatureById('before')!.getGeometry()!.getExtent()[2] / 1e6;
    const offsetOf = (role: string): number => {
      const styles = footprints.layer.getStyleFunction()!(
        source.getFeatureById(role) as Feature,
        resolution,
      ) as Style[];
      return (styles[1].getText() as Text).getOffsetY();
    };
    const expected = footprintLabelOffsets(
      northWestOf(source.getFeatureById('before') as Feature),
      northWestOf(source.getFeatureById('after') as Feature),
      resolution,
    );
    expect(expected.after).toBeGreaterThan(FOOTPRINT_LABEL.offsetYPx);
    expect(offsetOf('before')).toBe(expected.before);
    expect(offsetOf('after')).toBe(expected.after);
  });
});

function northWestOf(feature: Feature): number[] {
  const extent = feature.getGeometry()!.getExtent();
  return [extent[0], extent[3]];
}
