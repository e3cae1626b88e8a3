// The vector source behind every layer of outlines loaded through the API (change regions, boundaries, the runs of
// a series): it asks for the part of the map in view as the view moves, turns each outline into a feature in view
// coordinates, skips features it already has, and drops a load that was begun before the last clear (an answer
// for the old run or layer must not land in the new one).
import Feature from 'ol/Feature';
import type { Extent } from 'ol/extent';
import MultiPolygon from 'ol/geom/MultiPolygon';
import { bbox as bboxStrategy } from 'ol/loadingstrategy';
import VectorSource from 'ol/source/Vector';
import type { MapSpace } from './mapSpace';

/** An extent in the API's coordinates: [west, south, east, north]. */
export type ApiExtent = [number, number, number, number];

/** One outline to draw: its feature id, its polygons in the API's coordinates, and the properties styles read. */
export interface OutlineFeature {
  id: number | string;
  outline: [number, number][][][];
  properties: Record<string, unknown>;
}

export interface OutlineSource {
  source: VectorSource;
  /** Empties the source; loads still on their way are dropped. */
  clear(): void;
  /** Empties the source and loads the part in view again. */
  reload(): void;
  /** Called after each load has added its features. */
  onLoaded(listener: () => void): void;
}

/**
 * The view's extent in the API's coordinates: lon/lat kept within web mercator's world, or, for imagery without a
 * georeference, the image's pixels as they are (a pixel canvas runs far past 180 and -85).
 */
export function apiExtentOf(extent: Extent, space: MapSpace): ApiExtent {
  const [w, s, e, n] = space.extentFromView(extent);
  if (space.kind === 'pixel') return [w, s, e, n];
  return [Math.max(-180, w), Math.max(-85, s), Math.min(180, e), Math.min(85, n)];
}

export function outlineSource(
  fetchOutlines: (extent: ApiExtent) => Promise<OutlineFeature[]>,
  space: MapSpace,
): OutlineSource {
  let generation = 0;
  const listeners = new Set<() => void>();
  const source: VectorSource = new VectorSource({
    strategy: bboxStrategy,
    loader: (extent: Extent, _resolution, _projection, success, failure) => {
      const ticket = generation;
      fetchOutlines(apiExtentOf(extent, space)).then(
        (records) => {
          if (ticket !== generation) return success?.([]);
          const features = records
            .filter((r) => !source.getFeatureById(r.id))
            .map((r) => {
              const geometry = new MultiPolygon(
                r.outline.map((polygon) => polygon.map((ring) => ring.map((p) => space.toView(p)))),
              );
              const feature = new Feature({ geometry, ...r.properties });
              feature.setId(r.id);
              return feature;
            });
          source.addFeatures(features);
          success?.(features);
          for (const listener of listeners) listener();
        },
        () => {
          source.removeLoadedExtent(extent);
          failure?.();
        },
      );
    },
  });
  const clear = (): void => {
    generation++;
    source.clear(true);
  };
  return {
    source,
    clear,
    reload() {
      clear();
      source.refresh();
    },
    onLoaded(listener) {
      listeners.add(listener);
    },
  };
}
