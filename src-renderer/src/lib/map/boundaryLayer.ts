// The active boundary layer (parcels, districts) on the map: outlines loaded through the API for the part in view,
// each labelled with its name (the layer's label field) where the map is zoomed in far enough to read it.
import VectorLayer from 'ol/layer/Vector';
import { Fill, Stroke, Style, Text } from 'ol/style';
import type { MapSpace } from './mapSpace';
import { outlineSource, type ApiExtent } from './outlineSource';

export interface BoundaryOutline {
  fid: number;
  label: string;
  outline: [number, number][][][];
}
/** Outlines of the active layer meeting an extent (lon/lat); [] when no layer is active. */
export type BoundaryFetcher = (extentLonLat: ApiExtent) => Promise<BoundaryOutline[]>;

export interface BoundaryLayer {
  layer: VectorLayer;
  reload(): void;
  onLoaded(listener: () => void): void;
}

const STROKE = new Stroke({ color: '#1e3a8a', width: 1.5, lineDash: [6, 3] });
/** Labels only where a feature is big enough on screen to hold one (resolution in view units per pixel). */
const LABEL_MAX_RESOLUTION = 40;

export function boundaryLayer(fetchOutlines: BoundaryFetcher, space: MapSpace): BoundaryLayer {
  const outlines = outlineSource(
    async (extent) =>
      (await fetchOutlines(extent)).map((r) => ({
        id: r.fid,
        outline: r.outline,
        properties: { label: r.label },
      })),
    space,
  );
  const layer = new VectorLayer({
    source: outlines.source,
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
  return { layer, reload: outlines.reload, onLoaded: outlines.onLoaded };
}
