// What the map's coordinates are: a georeferenced project is drawn in web mercator and talks to the API in WGS 84
// longitude/latitude; a project whose imagery has no georeference is drawn in the image's own pixel coordinates
// (x = column, y = -row, a pixel projection) and talks to the API in the same coordinates. Every conversion between
// the API's coordinates and the view's goes through one MapSpace.
import type { Coordinate } from 'ol/coordinate';
import type { Extent } from 'ol/extent';
import { fromLonLat, toLonLat, transformExtent } from 'ol/proj';
import Projection from 'ol/proj/Projection';
import TileGrid from 'ol/tilegrid/TileGrid';
import type { ImageryState } from '../../../../src-main/ipc/contract';

type SpaceDto = ImageryState['mapSpace'];
export type MapSpaceKind = SpaceDto['kind'];
type Point = [number, number];

export interface MapSpace {
  kind: MapSpaceKind;
  /** The view's projection and its deepest zoom. */
  projection: Projection | string;
  maxZoom: number;
  /** The grid of the API's tiles (imagery previews, change probability); undefined: web-mercator XYZ. */
  tileGrid: TileGrid | undefined;
  /** API coordinates (lon/lat, or pixels) to view coordinates, and back. */
  toView(p: Point): Coordinate;
  fromView(c: Coordinate): Point;
  extentToView(e: [number, number, number, number]): Extent;
  extentFromView(e: Extent): [number, number, number, number];
}

const WEB_MERCATOR: MapSpace = {
  kind: 'wgs84',
  projection: 'EPSG:3857',
  maxZoom: 22,
  tileGrid: undefined,
  toView: (p) => fromLonLat(p),
  fromView: (c) => toLonLat(c) as Point,
  extentToView: (e) => transformExtent(e, 'EPSG:4326', 'EPSG:3857'),
  extentFromView: (e) => transformExtent(e, 'EPSG:3857', 'EPSG:4326') as [number, number, number, number],
};

function pixelSpace(tiles: Extract<SpaceDto, { kind: 'pixel' }>['tiles']): MapSpace {
  // The canvas is zoom 0's single tile: the largest image the map can show, in pixels.
  const canvas = tiles.tileSize * 2 ** tiles.nativeZoom;
  const extent: Extent = [0, -canvas, canvas, 0];
  return {
    kind: 'pixel',
    projection: new Projection({ code: 'CHANGEMAP:PIXELS', units: 'pixels', extent }),
    maxZoom: tiles.maxZoom,
    // Tile (z, x, y) counts from the image's top-left corner, right and down, as the services' pixel tiles do.
    tileGrid: new TileGrid({
      origin: [0, 0],
      extent,
      tileSize: tiles.tileSize,
      resolutions: Array.from({ length: tiles.maxZoom + 1 }, (_, z) => 2 ** (tiles.nativeZoom - z)),
    }),
    toView: (p) => [p[0], p[1]],
    fromView: (c) => [c[0], c[1]],
    extentToView: (e) => [...e],
    extentFromView: (e) => [e[0], e[1], e[2], e[3]],
  };
}

export function mapSpaceOf(space: SpaceDto): MapSpace {
  return space.kind === 'pixel' ? pixelSpace(space.tiles) : WEB_MERCATOR;
}
