// Footprints of the scenes a catalogue search found, on the map (before blue, after red, the highlighted one bold),
// and the map's visible extent handed back to the search ("Use the map's view").
import type OlMap from 'ol/Map';
import Feature from 'ol/Feature';
import Polygon from 'ol/geom/Polygon';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Stroke, Style } from 'ol/style';
import { stacFinder } from '../../stores/stacFinder.svelte';
import { DATE_COLOURS } from './footprintLayer';
import type { MapSpace } from './mapSpace';

function style(date: 'before' | 'after', highlighted: boolean, picked: boolean): Style {
  return new Style({
    stroke: new Stroke({
      color: DATE_COLOURS[date],
      width: highlighted ? 3.5 : picked ? 2.5 : 1,
      lineDash: picked || highlighted ? undefined : [4, 4],
    }),
  });
}

/** Adds the layer to the map; returns a function that takes it away again. */
export function attachSceneFootprints(map: OlMap, space: MapSpace): () => void {
  const source = new VectorSource();
  const layer = new VectorLayer({ source, zIndex: 31, properties: { name: 'catalogue-scenes' } });
  map.addLayer(layer);
  const onMove = () => {
    if (space.kind !== 'wgs84') return;
    const size = map.getSize();
    if (size) stacFinder.mapBbox = space.extentFromView(map.getView().calculateExtent(size));
  };
  map.on('moveend', onMove);
  const stop = $effect.root(() => {
    $effect(() => {
      source.clear();
      if (space.kind !== 'wgs84') return;
      for (const { date, scene } of stacFinder.scenes) {
        const picked = stacFinder.picked[date].includes(scene.id);
        for (const ring of scene.footprint) {
          const feature = new Feature({ geometry: new Polygon([ring.map((p) => space.toView(p))]) });
          feature.setStyle(style(date, stacFinder.highlighted === scene.id, picked));
          source.addFeature(feature);
        }
      }
    });
    $effect(() => {
      const extent = stacFinder.fitRequest > 0 && !source.isEmpty() ? source.getExtent() : null;
      if (extent) map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom: 16, duration: 0 });
    });
  });
  return () => {
    stop();
    map.un('moveend', onMove);
    map.removeLayer(layer);
  };
}
