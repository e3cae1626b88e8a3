// The active boundary layer (parcels, districts) on the map: outlines loaded through the API for the part in view,
// each labelled with its name (the layer's label field) where the map is zoomed in far enough to read it.
import Feature from 'ol/Feature';
import type { Extent } from 'ol/extent';
import MultiPolygon from 'ol/geom/MultiPolygon';
import VectorLayer from 'ol/layer/Vector';
import { bbox as bboxStrategy } from 'ol/loadingstrategy';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style, Text } from 'ol/style';
import type { MapSpace } from './mapSpace';

export interface BoundaryOutline {
  fid: number;
  label: string;
  outline: [number, number][][][];
}
/** Outlines of the active layer meeting an extent (lon/lat); [] when no layer is active. */
export type BoundaryFetcher = (extentLonLat: [number, number, number, number]) => Promise<BoundaryOutline[]>;

export interface BoundaryLayer {
  layer: VectorLayer;
  reload(): void;
  onLoaded(listener: () => void): void;
}

const STROKE = new Stroke({ color: '#1e3a8a', width: 1.5, lineDash: [6, 3] });
/** Labels only where a feature is big enough on screen to hold one (resolution in view units per pixel). */
const LABEL_MAX_RESOLUTION = 40;

export function boundaryLayer(fetchOutlines: BoundaryFetcher, space: MapSpace): BoundaryLayer {
  let generation = 0;
  const loaded = new Set<() => void>();
  const source: VectorSource = new VectorSource({
    strategy: bboxStrategy,
    loader: (extent: Extent, _resolution, _projection, success, failure) => {
      const ticket = generation;
      const [w, s, e, n] = space.extentFromView(extent);
      fetchOutlines([Math.max(-180, w), Math.max(-85, s), Math.min(180, e), Math.min(85, n)]).then(
        (records) => {
          if (ticket !== generation) return success?.([]);
          const features = records
            .filter((r) => !source.getFeatureById(r.fid))
            .map((r) => {
              const geometry = new MultiPolygon(
                r.outline.map((polygon) => polygon.map((ring) => ring.map((p) => space.toView(p)))),
              );
              const feature = new Feature({ geometry, label: r.label });
              feature.setId(r.fid);
              return feature;
            });
          source.addFeatures(features);
          success?.(features);
          for (const listener of loaded) listener();
        },
        () => {
          source.removeLoadedExtent(extent);
          failure?.();
        },
      );
    },
  });
  const layer = new VectorLayer({
    source,
    zIndex: 45,
    declutter: true,
    style: (feature, resolution) =>
      new Style({
        stroke: STROKE,
        fill: new Fill({ color: 'rgba(30, 58, 138, 0.03)' }),
        text:
          resolution < LABEL_MAX_RESOLUTION
            ? new Text({
                text: String(feature.get('label') ?? ''),
                font: '600 11px system-ui, sans-serif',
                fill: new Fill({ color: '#1e3a8a' }),
                stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 3 }),
                overflow: false,
              })
            : undefined,
      }),
    properties: { name: 'boundaries' },
  });
  return {
    layer,
    reload() {
      generation++;
      source.clear(true);
      source.refresh();
    },
    onLoaded(listener) {
      loaded.add(listener);
    },
  };
}
