// Drawing the run's area of interest on the map: a rectangle (OpenLayers' createBox) or a polygon, returned as a
// closed lon/lat ring, and the chosen area kept on screen.
import type Map from 'ol/Map';
import Feature from 'ol/Feature';
import Polygon from 'ol/geom/Polygon';
import Draw, { createBox } from 'ol/interaction/Draw';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import type { MapSpace } from './mapSpace';

type LonLat = [number, number];

const AREA_STYLE = new Style({
  stroke: new Stroke({ color: '#1f6feb', width: 2, lineDash: [8, 4] }),
  fill: new Fill({ color: 'rgba(31, 111, 235, 0.06)' }),
});

export interface AreaLayer {
  layer: VectorLayer;
  /** Shows a lon/lat ring as the chosen area (null clears it). */
  show(ring: LonLat[] | null): void;
  /** Lets the user draw; resolves with the closed ring, or null when cancelled (Escape or cancel()). */
  draw(kind: 'bbox' | 'polygon'): Promise<LonLat[] | null>;
  cancel(): void;
}

export function areaLayer(map: Map, space: MapSpace): AreaLayer {
  const source = new VectorSource();
  const layer = new VectorLayer({ source, style: AREA_STYLE, zIndex: 60, properties: { name: 'run-area' } });
  let active: { interaction: Draw; finish: (ring: LonLat[] | null) => void } | null = null;

  const stop = (ring: LonLat[] | null): void => {
    if (!active) return;
    const { interaction, finish } = active;
    active = null;
    map.removeInteraction(interaction);
    document.removeEventListener('keydown', onKey);
    finish(ring);
  };
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') stop(null);
  };

  const show = (ring: LonLat[] | null): void => {
    source.clear();
    if (ring && ring.length >= 4)
      source.addFeature(new Feature(new Polygon([ring.map((p) => space.toView(p))])));
  };

  return {
    layer,
    show,
    draw(kind) {
      stop(null);
      return new Promise((resolve) => {
        const interaction = new Draw({
          type: kind === 'bbox' ? 'Circle' : 'Polygon',
          geometryFunction: kind === 'bbox' ? createBox() : undefined,
          style: AREA_STYLE,
        });
        interaction.on('drawend', (event) => {
          const polygon = event.feature.getGeometry() as Polygon;
          const ring = polygon.getCoordinates()[0].map((c) => space.fromView(c));
          // Keep the ring closed even where OpenLayers leaves out the repeated first vertex.
          const [first, last] = [ring[0], ring[ring.length - 1]];
          if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
          setTimeout(() => stop(ring));
        });
        active = { interaction, finish: resolve };
        map.addInteraction(interaction);
        document.addEventListener('keydown', onKey);
      });
    },
    cancel: () => stop(null),
  };
}
