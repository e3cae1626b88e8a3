// Builds the main map: offline world outline, graticule, scale line. OpenLayers objects live here, outside
// Svelte's reactivity; MapView.svelte owns their lifecycle.
import Map from 'ol/Map';
import View from 'ol/View';
import { ScaleLine, Zoom } from 'ol/control';
import Graticule from 'ol/layer/Graticule';
import type { Extent } from 'ol/extent';
import { toLonLat, fromLonLat, transformExtent } from 'ol/proj';
import { Stroke } from 'ol/style';
import type { MapView as SavedView } from '../../../../src-main/ipc/contract';
import { worldOutlineLayer } from './worldOutline';

export interface MapHandle {
  map: Map;
  getView(): SavedView;
  setView(view: SavedView): void;
  /** Zooms to an extent in EPSG:3857, leaving room for the panels' edges. */
  fit(extent: Extent, maxZoom?: number, padding?: [number, number, number, number]): void;
  /** The view's extent in WGS 84: [minLon, minLat, maxLon, maxLat]. */
  viewExtentLonLat(): [number, number, number, number];
  dispose(): void;
}

export function createMap(
  target: HTMLElement,
  callbacks: {
    onPointer: (lonLat: [number, number] | null) => void;
    onViewChange: (view: SavedView) => void;
  },
): MapHandle {
  const map = new Map({
    target,
    controls: [
      new Zoom(),
      new ScaleLine({ units: 'metric', bar: true, steps: 4, text: false, minWidth: 120 }),
    ],
    layers: [
      worldOutlineLayer(),
      new Graticule({
        strokeStyle: new Stroke({ color: 'rgba(80, 90, 110, 0.25)', width: 1, lineDash: [2, 4] }),
        showLabels: true,
        lonLabelPosition: 0.985,
        latLabelPosition: 0.985,
        wrapX: false,
        properties: { name: 'graticule' },
      }),
    ],
    view: new View({ center: fromLonLat([10, 30]), zoom: 2, maxZoom: 22 }),
  });

  const getView = (): SavedView => {
    const view = map.getView();
    const lonLat = toLonLat(view.getCenter() ?? [0, 0]) as [number, number];
    return { center: lonLat, zoom: view.getZoom() ?? 2 };
  };

  map.on('pointermove', (event) => callbacks.onPointer(toLonLat(event.coordinate) as [number, number]));
  target.addEventListener('pointerleave', () => callbacks.onPointer(null));
  map.on('moveend', () => callbacks.onViewChange(getView()));

  return {
    map,
    getView,
    setView: (saved) => {
      map.getView().setCenter(fromLonLat(saved.center));
      map.getView().setZoom(saved.zoom);
    },
    fit: (extent, maxZoom = 19, padding = [48, 48, 48, 48]) =>
      map.getView().fit(extent, { padding, maxZoom, duration: 250 }),
    viewExtentLonLat: () =>
      transformExtent(map.getView().calculateExtent(map.getSize()), 'EPSG:3857', 'EPSG:4326') as [
        number,
        number,
        number,
        number,
      ],
    dispose: () => map.setTarget(undefined),
  };
}
