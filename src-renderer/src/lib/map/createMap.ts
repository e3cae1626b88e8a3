// Builds the main map: offline world outline, graticule, scale line (a georeferenced project), or the bare pixel
// canvas (imagery without georeference, see mapSpace.ts). OpenLayers objects live here, outside Svelte's
// reactivity; MapView.svelte owns their lifecycle.
import Map from 'ol/Map';
import View from 'ol/View';
import { Attribution, ScaleLine, Zoom } from 'ol/control';
import Graticule from 'ol/layer/Graticule';
import type { Extent } from 'ol/extent';
import { Fill, Stroke, Text } from 'ol/style';
import type { MapView as SavedView } from '../../../../src-main/ipc/contract';
import type { MapSpace } from './mapSpace';
import { contextLayers } from './worldOutline';

export interface MapHandle {
  map: Map;
  getView(): SavedView;
  setView(view: SavedView): void;
  /**
   * Zooms to an extent in view coordinates, leaving room for the panels' edges, never closer than `minResolution`
   * (map units per pixel: see imageryScale.ts) or `maxZoom`.
   */
  fit(
    extent: Extent,
    limits?: { maxZoom?: number; minResolution?: number | null },
    padding?: [number, number, number, number],
  ): void;
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
  /** Where the scale bar and the attribution go (a strip under the map, clear of the graticule labels). */
  footer?: { scale: HTMLElement; attribution: HTMLElement },
): MapHandle {
  const geographic = space.kind === 'wgs84';
  const map = new Map({
    target,
    controls: geographic
      ? [
          new Zoom(),
          // The bar and its 1:n scale ("1 : 25 000", at the screen's assumed 96 dpi) below it.
          new ScaleLine({
            units: 'metric',
            bar: true,
            steps: 2,
            text: true,
            minWidth: 140,
            target: footer?.scale,
          }),
          new Attribution({ collapsible: false, collapsed: false, target: footer?.attribution }),
        ]
      : [new Zoom()],
    layers: geographic
      ? [
          ...contextLayers(),
          new Graticule({
            strokeStyle: new Stroke({ color: 'rgba(80, 90, 110, 0.25)', width: 1, lineDash: [2, 4] }),
            showLabels: true,
            // Longitudes along the bottom edge (0 is the bottom) and latitudes along the left one (0 is the left):
            // the zoom buttons and the layer list sit top right, the scale bar and readouts in a strip under the map.
            lonLabelPosition: 0.005,
            latLabelPosition: 0.005,
            latLabelStyle: new Text({
              font: '11px system-ui, sans-serif',
              textAlign: 'left',
              fill: new Fill({ color: '#1d2330' }),
              stroke: new Stroke({ color: 'rgba(255,255,255,0.95)', width: 3 }),
            }),
            lonLabelStyle: new Text({
              font: '11px system-ui, sans-serif',
              textBaseline: 'bottom',
              fill: new Fill({ color: '#1d2330' }),
              stroke: new Stroke({ color: 'rgba(255,255,255,0.95)', width: 3 }),
            }),
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
    fit: (extent, limits = {}, padding = [48, 48, 48, 48]) =>
      map.getView().fit(extent, {
        padding,
        maxZoom: limits.maxZoom ?? space.maxZoom,
        minResolution: limits.minResolution ?? undefined,
        duration: 250,
      }),
    viewExtentLonLat: () => space.extentFromView(map.getView().calculateExtent(map.getSize())),
    dispose: () => map.setTarget(undefined),
  };
}
