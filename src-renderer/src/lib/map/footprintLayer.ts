// Outlines of the "before" and "after" imagery on the map, labelled, so a planner sees where the dates overlap.
import Feature from 'ol/Feature';
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

/** The label sits at the outline's north-west corner: "before" above it, "after" below, so equal outlines stay legible. */
function northWest(polygon: Polygon): Point {
  const ring = polygon.getCoordinates()[0];
  let best = ring[0];
  for (const p of ring) if (p[1] - p[0] > best[1] - best[0]) best = p;
  return new Point(best);
}

function styleFor(role: Role): Style[] {
  return [
    new Style({
      stroke: new Stroke({
        color: DATE_COLOURS[role],
        width: 2,
        lineDash: role === 'after' ? [6, 4] : undefined,
      }),
    }),
    new Style({
      geometry: (feature) => northWest(feature.getGeometry() as Polygon),
      text: new Text({
        text: role,
        font: '600 12px system-ui, sans-serif',
        fill: new Fill({ color: DATE_COLOURS[role] }),
        stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 3 }),
        textAlign: 'left',
        offsetX: 4,
        offsetY: role === 'before' ? -10 : 10,
      }),
    }),
  ];
}
const STYLES: Record<Role, Style[]> = { before: styleFor('before'), after: styleFor('after') };

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
    style: (feature) => STYLES[feature.get('role') as Role],
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
