// Outlines of the "before" and "after" imagery on the map, labelled, so a planner sees where the dates overlap.
import Feature from 'ol/Feature';
import type { Coordinate } from 'ol/coordinate';
import type { Extent } from 'ol/extent';
import { createEmpty, extend } from 'ol/extent';
import Point from 'ol/geom/Point';
import Polygon from 'ol/geom/Polygon';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style, Text } from 'ol/style';
import type { MapSpace } from './mapSpace';

export const DATE_COLOURS = { before: '#1f6feb', after: '#c8553d' } as const;
type Role = keyof typeof DATE_COLOURS;

/** Where a label is anchored: the outline's north-west corner ("before" above it, "after" below it). */
function northWest(polygon: Polygon): Coordinate {
  const ring = polygon.getCoordinates()[0];
  let best = ring[0];
  for (const p of ring) if (p[1] - p[0] > best[1] - best[0]) best = p;
  return best;
}

/** A label's box on screen, generous for "before" / "after" in the 12 px font, and the offsets it is drawn at. */
export const FOOTPRINT_LABEL = { widthPx: 48, heightPx: 16, gapPx: 2, offsetXPx: 4, offsetYPx: 10 } as const;

/**
 * The vertical offsets (px, down positive) of the two labels: "before" above its anchor, "after" below its own,
 * pushed further down where the two boxes would meet (outlines whose corners lie a few pixels apart at this zoom).
 */
export function footprintLabelOffsets(
  before: Coordinate | null,
  after: Coordinate | null,
  resolution: number,
): Record<Role, number> {
  const { widthPx, heightPx, gapPx, offsetYPx } = FOOTPRINT_LABEL;
  const offsets: Record<Role, number> = { before: -offsetYPx, after: offsetYPx };
  if (!before || !after) return offsets;
  // Screen pixels from "before"'s anchor to "after"'s (y down on screen, up in map units).
  const dx = (after[0] - before[0]) / resolution;
  const dy = (before[1] - after[1]) / resolution;
  if (Math.abs(dx) >= widthPx + gapPx) return offsets;
  const lowestClearOfBefore = -offsetYPx + heightPx + gapPx - dy;
  const highestClearOfBefore = -offsetYPx - heightPx - gapPx - dy;
  if (offsets.after < lowestClearOfBefore && offsets.after > highestClearOfBefore)
    offsets.after = lowestClearOfBefore;
  return offsets;
}

function outlineStyle(role: Role): Style {
  return new Style({
    stroke: new Stroke({
      color: DATE_COLOURS[role],
      width: 2,
      lineDash: role === 'after' ? [6, 4] : undefined,
    }),
  });
}

function labelStyle(role: Role, anchor: Coordinate, offsetY: number): Style {
  return new Style({
    geometry: new Point(anchor),
    text: new Text({
      text: role,
      font: '600 12px system-ui, sans-serif',
      fill: new Fill({ color: DATE_COLOURS[role] }),
      stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 3 }),
      textAlign: 'left',
      offsetX: FOOTPRINT_LABEL.offsetXPx,
      offsetY,
    }),
  });
}
const OUTLINES: Record<Role, Style> = { before: outlineStyle('before'), after: outlineStyle('after') };

export interface FootprintLayer {
  layer: VectorLayer;
  setFootprints(footprints: Partial<Record<Role, [number, number][] | null>>): void;
  /** The union of the footprints in view coordinates, or null without any. */
  extent(): Extent | null;
  extentOf(role: Role): Extent | null;
}

export function footprintLayer(space: MapSpace): FootprintLayer {
  const source = new VectorSource();
  const layer = new VectorLayer({
    source,
    style: (feature, resolution) => {
      const role = feature.get('role') as Role;
      const anchorOf = (r: Role): Coordinate | null => {
        const polygon = source.getFeatureById(r)?.getGeometry() as Polygon | undefined;
        return polygon ? northWest(polygon) : null;
      };
      const anchors = { before: anchorOf('before'), after: anchorOf('after') };
      const offsets = footprintLabelOffsets(anchors.before, anchors.after, resolution);
      return [OUTLINES[role], labelStyle(role, anchors[role]!, offsets[role])];
    },
    zIndex: 30,
    properties: { name: 'footprints' },
  });
  return {
    layer,
    setFootprints(footprints) {
      source.clear();
      for (const role of ['before', 'after'] as const) {
        const ring = footprints[role];
        if (!ring || ring.length < 4) continue;
        const feature = new Feature({ geometry: new Polygon([ring.map((p) => space.toView(p))]), role });
        feature.setId(role);
        source.addFeature(feature);
      }
    },
    extent() {
      if (source.isEmpty()) return null;
      const extent = createEmpty();
      for (const f of source.getFeatures()) extend(extent, f.getGeometry()!.getExtent());
      return extent;
    },
    extentOf(role) {
      return source.getFeatureById(role)?.getGeometry()?.getExtent() ?? null;
    },
  };
}
