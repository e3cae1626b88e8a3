import { describe, expect, it } from 'vitest';
import { basemapTileUrl, checkBasemap, type BasemapInput } from './basemapUrl';

const codeOf = (input: BasemapInput): string | null => {
  try {
    checkBasemap(input);
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('user basemaps', () => {
  it('accepts http(s) XYZ templates and fills in the tile numbers', () => {
    const xyz = checkBasemap({
      name: ' OSM ',
      kind: 'xyz',
      url: 'https://tile.example.org/{z}/{x}/{y}.png ',
    });
    expect(xyz.name).toBe('OSM');
    expect(basemapTileUrl(xyz, 5, 17, 11)).toBe('https://tile.example.org/5/17/11.png');
  });

  it('refuses other schemes, credentials and templates without tile numbers, with BASEMAP_URL_INVALID', () => {
    for (const url of [
      'file:///etc/{z}/{x}/{y}.png',
      'javascript:alert(1)//{z}{x}{y}',
      'ftp://host/{z}/{x}/{y}.png',
      'https://user:secret@host/{z}/{x}/{y}.png',
      'https://host/tiles.png',
      'not a url {z}{x}{y}',
    ])
      expect(codeOf({ name: 'x', kind: 'xyz', url })).toBe('BASEMAP_URL_INVALID');
    expect(codeOf({ name: ' ', kind: 'xyz', url: 'https://host/{z}/{x}/{y}' })).toBe('BASEMAP_URL_INVALID');
    expect(codeOf({ name: 'w', kind: 'wms', url: 'https://host/wms' })).toBe('BASEMAP_URL_INVALID');
    expect(codeOf({ name: 'w', kind: 'wmts', url: 'https://host/wmts' })).toBe('BASEMAP_URL_INVALID');
  });

  it('builds WMTS tiles from a REST template or key-value parameters', () => {
    const rest = checkBasemap({
      name: 'ortho',
      kind: 'wmts',
      url: 'https://host/wmts/ortho/GoogleMapsCompatible/{TileMatrix}/{TileRow}/{TileCol}.jpeg',
    });
    expect(basemapTileUrl(rest, 12, 2200, 1400)).toBe(
      'https://host/wmts/ortho/GoogleMapsCompatible/12/1400/2200.jpeg',
    );
    const kvp = checkBasemap({
      name: 'k',
      kind: 'wmts',
      url: 'https://host/wmts?key=abc',
      layer: 'ortho',
      matrixSet: 'WebMercator',
    });
    const u = new URL(basemapTileUrl(kvp, 3, 4, 2));
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      key: 'abc',
      SERVICE: 'WMTS',
      REQUEST: 'GetTile',
      LAYER: 'ortho',
      TILEMATRIXSET: 'WebMercator',
      TILEMATRIX: '3',
      TILEROW: '2',
      TILECOL: '4',
    });
  });

  it("asks a WMS for the tile's web-mercator box", () => {
    const wms = checkBasemap({
      name: 'w',
      kind: 'wms',
      url: 'http://host/wms?VERSION=1.1.1',
      layer: 'roads',
    });
    const u = new URL(basemapTileUrl(wms, 1, 1, 0));
    // Zoom 1, column 1, row 0: the north-east quarter of the world.
    const [minX, minY, maxX, maxY] = u.searchParams.get('BBOX')!.split(',').map(Number);
    expect(minX).toBeCloseTo(0, 2);
    expect(minY).toBeCloseTo(0, 2);
    expect(maxX).toBeCloseTo(20037508.343, 2);
    expect(maxY).toBeCloseTo(20037508.343, 2);
    // The user's own VERSION stays.
    expect(u.searchParams.get('VERSION')).toBe('1.1.1');
    expect(u.searchParams.get('LAYERS')).toBe('roads');
    expect(u.searchParams.get('CRS')).toBe('EPSG:3857');
  });
});
