// User basemaps: what a planner types (an XYZ template, a WMTS endpoint or template, a WMS endpoint) checked and
// turned into the URL of one web-mercator tile. The services fetch that URL (the renderer never talks to another
// origin, so its CSP stays "no remote origins"); only http and https, without credentials in the URL.
import { ChangeMapError } from '../errors';

export const BASEMAP_KINDS = ['xyz', 'wmts', 'wms'] as const;
export type BasemapKind = (typeof BASEMAP_KINDS)[number];

/** What the user gives for a basemap. */
export interface BasemapInput {
  name: string;
  kind: BasemapKind;
  url: string;
  /** WMS layers, or the WMTS layer of a key-value (KVP) endpoint. */
  layer?: string;
  /** WMTS tile matrix set of a KVP endpoint (web mercator, tile matrix identifiers 0, 1, 2, ...). */
  matrixSet?: string;
  /** Credit the map must show. */
  attribution?: string;
}

export interface Basemap extends BasemapInput {
  id: string;
}

const XYZ_KEYS = ['{z}', '{x}', '{y}'];
const WMTS_TEMPLATE_KEYS = ['{TileMatrix}', '{TileRow}', '{TileCol}'];
/** Half the web-mercator world's width in metres. */
const HALF_WORLD = 20037508.342789244;

function invalid(message: string): ChangeMapError {
  return new ChangeMapError('BASEMAP_URL_INVALID', message);
}

const hasAll = (url: string, keys: string[]) => keys.every((k) => url.includes(k));

/**
 * Checks a basemap as the user gave it; throws BASEMAP_URL_INVALID saying what to change. Returns it trimmed.
 */
export function checkBasemap(input: BasemapInput): BasemapInput {
  const name = input.name.trim();
  const url = input.url.trim();
  if (!name) throw invalid('Give the basemap a name.');
  let parsed: URL;
  try {
    // The placeholders are not valid in a host name, but they never belong there anyway.
    parsed = new URL(url.replace(/\{[A-Za-z-]+\}/g, '0'));
  } catch {
    throw invalid(`"${url}" is not a web address; give one that starts with https:// or http://.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw invalid(
      `A basemap must come from an http or https address, not ${parsed.protocol.replace(':', '')}.`,
    );
  if (parsed.username || parsed.password)
    throw invalid(
      'Leave the user name and password out of the basemap address: they would be saved in the project.',
    );
  const layer = input.layer?.trim() || undefined;
  const matrixSet = input.matrixSet?.trim() || undefined;
  if (input.kind === 'xyz' && !hasAll(url, XYZ_KEYS))
    throw invalid(
      'An XYZ address needs {z}, {x} and {y} where the tile numbers go, e.g. https://host/{z}/{x}/{y}.png.',
    );
  if (
    input.kind === 'wmts' &&
    !hasAll(url, WMTS_TEMPLATE_KEYS) &&
    !hasAll(url, XYZ_KEYS) &&
    !(layer && matrixSet)
  )
    throw invalid(
      'A WMTS basemap needs a tile template with {TileMatrix}, {TileRow} and {TileCol}, or a layer and tile matrix set.',
    );
  if (input.kind === 'wms' && !layer) throw invalid('A WMS basemap needs the layer (or layers) to draw.');
  return { ...input, name, url, layer, matrixSet, attribution: input.attribution?.trim() || undefined };
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  // Keep what the user's address already says (a key, a style), add only what is missing.
  const have = new Set([...u.searchParams.keys()].map((k) => k.toUpperCase()));
  for (const [key, value] of Object.entries(params)) if (!have.has(key)) u.searchParams.set(key, value);
  return u.toString();
}

/** The address of web-mercator tile z/x/y (XYZ numbering: row 0 at the top) of a checked basemap. */
export function basemapTileUrl(basemap: BasemapInput, z: number, x: number, y: number): string {
  const fill = (template: string, values: Record<string, number>) =>
    Object.entries(values).reduce((url, [key, value]) => url.split(`{${key}}`).join(String(value)), template);
  switch (basemap.kind) {
    case 'xyz':
      return fill(basemap.url, { z, x, y });
    case 'wmts':
      if (hasAll(basemap.url, WMTS_TEMPLATE_KEYS))
        return fill(basemap.url, { TileMatrix: z, TileRow: y, TileCol: x });
      if (hasAll(basemap.url, XYZ_KEYS)) return fill(basemap.url, { z, x, y });
      return withQuery(basemap.url, {
        SERVICE: 'WMTS',
        REQUEST: 'GetTile',
        VERSION: '1.0.0',
        LAYER: basemap.layer ?? '',
        STYLE: 'default',
        FORMAT: 'image/png',
        TILEMATRIXSET: basemap.matrixSet ?? '',
        TILEMATRIX: String(z),
        TILEROW: String(y),
        TILECOL: String(x),
      });
    case 'wms': {
      const size = (2 * HALF_WORLD) / 2 ** z;
      const minX = -HALF_WORLD + x * size;
      const maxY = HALF_WORLD - y * size;
      return withQuery(basemap.url, {
        SERVICE: 'WMS',
        REQUEST: 'GetMap',
        VERSION: '1.3.0',
        LAYERS: basemap.layer ?? '',
        STYLES: '',
        CRS: 'EPSG:3857',
        BBOX: [minX, maxY - size, minX + size, maxY].map((v) => v.toFixed(3)).join(','),
        WIDTH: '256',
        HEIGHT: '256',
        FORMAT: 'image/png',
        TRANSPARENT: 'true',
      });
    }
  }
}
