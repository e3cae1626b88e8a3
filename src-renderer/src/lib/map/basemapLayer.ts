// A user basemap on the map: web-mercator XYZ tiles whose bytes the services fetch (basemaps:tile), shown as data
// URLs, so the renderer's CSP never has to allow the basemap's origin. Its attribution is the user's text, escaped
// (OpenLayers shows attributions as HTML).
import type ImageTile from 'ol/ImageTile';
import TileLayer from 'ol/layer/Tile';
import type Tile from 'ol/Tile';
import TileState from 'ol/TileState';
import XYZ from 'ol/source/XYZ';
import type { Basemap } from '../../../../src-main/ipc/contract';

export type BasemapTileFetcher = (
  z: number,
  x: number,
  y: number,
) => Promise<{ data: string; mime: string } | null>;

const TRANSPARENT_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function basemapLayer(
  basemap: Basemap,
  fetchTile: BasemapTileFetcher,
  onTile?: () => void,
): TileLayer<XYZ> {
  const source = new XYZ({
    // Unique per basemap; tileLoadFunction reads the tile coordinate, not this URL.
    url: `changemap-basemap://${basemap.id}/{z}/{x}/{y}`,
    attributions: basemap.attribution ? escapeHtml(basemap.attribution) : undefined,
    maxZoom: 22,
    tileLoadFunction: (tile: Tile) => {
      const [z, x, y] = tile.getTileCoord();
      const image = (tile as ImageTile).getImage() as HTMLImageElement;
      fetchTile(z, x, y).then(
        (result) => {
          image.src = result ? `data:${result.mime};base64,${result.data}` : TRANSPARENT_PNG;
          if (result) onTile?.();
        },
        () => tile.setState(TileState.ERROR),
      );
    },
  });
  return new TileLayer({ source, zIndex: 1, properties: { name: `basemap:${basemap.name}` } });
}
