// Measuring on the map: ol/interaction/Draw draws a line or a polygon and ol/sphere gives its geodesic length or
// area (on the sphere of the WGS 84 mean radius, as OpenLayers measures), live while drawing and once finished. In
// pixel space (imagery without georeference) the figures are planar, in pixels or in metres of the pixel size given.
import type Map from 'ol/Map';
import type Feature from 'ol/Feature';
import type { Geometry } from 'ol/geom';
import type LineString from 'ol/geom/LineString';
import Polygon from 'ol/geom/Polygon';
import Draw from 'ol/interaction/Draw';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { unByKey } from 'ol/Observable';
import type { EventsKey } from 'ol/events';
import { getArea, getLength } from 'ol/sphere';
import { Circle as CircleStyle, Fill, Stroke, Style } from 'ol/style';
import type { MapSpace } from './mapSpace';

export type MeasureKind = 'distance' | 'area';

export interface Measurement {
  kind: MeasureKind;
  /** Metres (distance) or square metres (area); pixels or square pixels where the ground size is unknown. */
  value: number;
  unit: 'm' | 'px';
  /** The vertices in API coordinates (lon/lat, or pixels), the polygon's ring not repeated. */
  vertices: [number, number][];
  done: boolean;
}

const MEASURE_STYLE = new Style({
  stroke: new Stroke({ color: '#7c3aed', width: 2, lineDash: [6, 3] }),
  fill: new Fill({ color: 'rgba(124, 58, 237, 0.10)' }),
  image: new CircleStyle({ radius: 4, fill: new Fill({ color: '#7c3aed' }) }),
});

/** Length or area of a drawn geometry in the map's view projection. */
export function measureGeometry(
  geometry: Geometry,
  space: MapSpace,
  pixelSizeM: number | null,
): { value: number; unit: 'm' | 'px' } {
  const isArea = geometry instanceof Polygon;
  if (space.kind === 'wgs84') {
    const projection = 'EPSG:3857';
    return {
      value: isArea ? getArea(geometry, { projection }) : getLength(geometry, { projection }),
      unit: 'm',
    };
  }
  const planar = isArea ? (geometry as Polygon).getArea() : (geometry as LineString).getLength();
  if (pixelSizeM === null) return { value: planar, unit: 'px' };
  return { value: isArea ? planar * pixelSizeM ** 2 : planar * pixelSizeM, unit: 'm' };
}

function verticesOf(geometry: Geometry, space: MapSpace): [number, number][] {
  const coords =
    geometry instanceof Polygon
      ? geometry.getCoordinates()[0].slice(0, -1)
      : (geometry as LineString).getCoordinates();
  return coords.map((c) => space.fromView(c));
}

export interface MeasureTool {
  layer: VectorLayer;
  /** Starts measuring (replacing what was measured before); `onChange` hears every update. */
  start(kind: MeasureKind): void;
  /** Stops and clears the measurement. */
  stop(): void;
}

export function measureTool(
  map: Map,
  space: MapSpace,
  pixelSizeM: () => number | null,
  onChange: (measurement: Measurement | null) => void,
): MeasureTool {
  const source = new VectorSource();
  const layer = new VectorLayer({
    source,
    style: MEASURE_STYLE,
    zIndex: 200,
    properties: { name: 'measure' },
  });
  let interaction: Draw | null = null;

  const report = (geometry: Geometry, kind: MeasureKind, done: boolean): void => {
    const vertices = verticesOf(geometry, space);
    onChange({ kind, ...measureGeometry(geometry, space, pixelSizeM()), vertices, done });
  };

  const removeInteraction = (): void => {
    if (interaction) map.removeInteraction(interaction);
    interaction = null;
  };

  return {
    layer,
    start(kind) {
      removeInteraction();
      source.clear();
      const draw = new Draw({
        source,
        type: kind === 'area' ? 'Polygon' : 'LineString',
        style: MEASURE_STYLE,
      });
      let listener: EventsKey | null = null;
      draw.on('drawstart', (event) => {
        source.clear();
        const geometry = event.feature.getGeometry()!;
        listener = geometry.on('change', () => report(geometry, kind, false));
      });
      draw.on('drawend', (event: { feature: Feature }) => {
        if (listener) unByKey(listener);
        report(event.feature.getGeometry()!, kind, true);
      });
      interaction = draw;
      map.addInteraction(draw);
      onChange(null);
    },
    stop() {
      removeInteraction();
      source.clear();
      onChange(null);
    },
  };
}
