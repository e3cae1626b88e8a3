// Builds the main map: offline world outline, graticule, scale line (a georeferenced project), or the bare pixel
// canvas (imagery without georeference, see mapSpace.ts). OpenLayers objects live here, outside Svelte's
// reactivity; MapView.svelte owns their lifecycle.
import Map from 'ol/Map';
import View from 'ol/View';
import { ScaleLine, Zoom } from 'ol/control';
import Graticule from 'ol/layer/Graticule';
import type { Extent } from 'ol/extent';
import { Stroke } from 'ol/style';
import type { MapView as SavedView } from '../../../../src-main/ipc/contract';
import type { MapSpace } from './mapSpace';
import { worldOutlineLayer } from './worldOutline';

export interface MapHandle {
  map: Map;
  getView(): SavedView;
  setView(view: SavedView): void;
  /** Zooms to an extent in view coordinates, leaving room for the panels' edges. */
  fit(extent: Extent, maxZoom?: number, padding?: [number, number, number, number]): void;
  /** The view's extent in API coordinates: [minLon, minLat, maxLon, maxLat] (pixels in pixel space). */
  viewExtentLonLat(): [number, number, number, number];
  dispose(): void;
}

export function createMap(
  target: HTMLElement,
  callbacks: {
    onPointer: (lonLat: [number, number] | null) => void;
    onViewChange: (view: SavedView) => void;
  },
  space: MapSpace,
): MapHandle {
  const geographic = space.kind === 'wgs84';
  const map = new Map({
    target,
    controls: geographic
      ? [new Zoom(), new ScaleLine({ units: 'metric', bar: true, steps: 4, text: false, minWidth: 120 })]
      : [new Zoom()],
    layers: geographic
      ? [
          worldOutlineLayer(),
          new Graticule({
            strokeStyle: new Stroke({ color: 'rgba(80, 90, 110, 0.25)', width: 1, lineDash: [2, 4] }),
            showLabels: true,
            lonLabelPosition: 0.985,
            latLabelPosition: 0.985,
            wrapX: false,
            properties: { name: 'graticule' },
          }),
        ]
      : [],
    view: geographic
      ? new View({ center: space.toView([10, 30]), zoom: 2, maxZoom: space.maxZoom })
      : new View({ projection: space.projection, center: [512, -512], zoom: 14, maxZoom: space.maxZoom }),
  });

  const getView = (): SavedView => {
    const view = map.getView();
    return { center: space.fromView(view.getCenter() ?? [0, 0]), zoom: view.getZoom() ?? 2 };
  };

  map.on('pointermove', (event) => callbacks.onPointer(space.fromView(event.coordinate)));
  target.addEventListener('pointerleave', () => callbacks.onPointer(null));
  map.on('moveend', () => callbacks.onViewChange(getView()));

  return {
    map,
    getView,
    setView: (saved) => {
      map.getView().setCenter(space.toView(saved.center));
      map.getView().setZoom(saved.zoom);
    },
    fit: (extent, maxZoom = 19, padding = [48, 48, 48, 48]) =>
      map.getView().fit(extent, { padding, maxZoom, duration: 250 }),
    viewExtentLonLat: () => space.extentFromView(map.getView().calculateExtent(map.getSize())),
    dispose: () => map.setTarget(undefined),
  };
}
