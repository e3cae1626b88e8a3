// Raster tiles that come through the API (imagery previews, change probability) rather than from a URL: an
// XYZ source whose tileLoadFunction asks the services for a PNG and hands it to the tile's image as a data URL.
import type ImageTile from 'ol/ImageTile';
import TileLayer from 'ol/layer/Tile';
import type Tile from 'ol/Tile';
import TileState from 'ol/TileState';
import XYZ from 'ol/source/XYZ';
import type { Extent } from 'ol/extent';
import type { MapSpace } from './mapSpace';

/** An XYZ tile (web mercator, or the pixel tile grid) as the API returns it: PNG in base64, or null. */
export type TileFetcher = (z: number, x: number, y: number) => Promise<{ png: string } | null>;

/** 1x1 transparent PNG: a tile with no data is a loaded, empty tile (not an error OpenLayers retries). */
const TRANSPARENT_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export interface ApiTileLayer {
  layer: TileLayer<XYZ>;
  /** Reloads every tile; the old ones stay on screen until their replacements arrive (no flicker). */
  refresh(): void;
  /** Limits tile requests to an extent in view coordinates (null: everywhere). */
  setExtent(extent: Extent | null): void;
}

export function apiTileLayer(
  name: string,
  fetchTile: TileFetcher,
  space: MapSpace,
  options: { opacity?: number; zIndex?: number; maxZoom?: number } = {},
): ApiTileLayer {
  let revision = 0;
  // The URL only has to be unique per revision: tileLoadFunction reads the tile coordinate, not the URL.
  const urlFor = (rev: number): string => `changemap-${name}://${rev}/{z}/{x}/{y}`;
  const source = new XYZ({
    url: urlFor(revision),
    projection: space.projection,
    tileGrid: space.tileGrid,
    maxZoom: space.tileGrid ? undefined : (options.maxZoom ?? 22),
    wrapX: false,
    transition: 150,
    tileLoadFunction: (tile: Tile) => {
      const [z, x, y] = tile.getTileCoord();
      const image = (tile as ImageTile).getImage() as HTMLImageElement;
      fetchTile(z, x, y).then(
        (result) => {
          image.src = result ? `data:image/png;base64,${result.png}` : TRANSPARENT_PNG;
        },
        () => tile.setState(TileState.ERROR),
      );
    },
  });
  const layer = new TileLayer({
    source,
    opacity: options.opacity ?? 1,
    zIndex: options.zIndex,
    properties: { name },
  });
  return {
    layer,
    refresh: () => source.setUrl(urlFor(++revision)),
    setExtent: (extent) => layer.setExtent(extent ?? undefined),
  };
}
