// What ChangeMap makes of one STAC item: its date, cloud cover, footprint, thumbnail and the image it would read.
// stac-js does the STAC part (asset ranking by role and media type, thumbnails, datetimes, older STAC versions).
import type { Asset, Item } from 'stac-js';
import {
  DEFAULT_STACK_BANDS,
  type StacBandAsset,
  type StacImageAsset,
  type StacScene,
} from '../../ipc/stacSchemas';

/** Interprets an item already made by stac-js's create(). */
export function sceneOfItem(item: Item): StacScene {
  const bands = bandAssetsOf(item);
  const chosen = chooseImageAsset(item, bands);
  const bbox = item.getBoundingBox();
  return {
    id: String(item.id),
    collection: typeof item.collection === 'string' ? item.collection : null,
    itemUrl: selfUrl(item),
    datetime: item.getDateTime()?.toISOString() ?? null,
    cloudCover: finiteOrNull(item.getMetadata('eo:cloud_cover')),
    gsdM: finiteOrNull(chosen.asset?.getMetadata('gsd') ?? item.getMetadata('gsd')),
    platform: stringOrNull(item.getMetadata('platform')) ?? stringOrNull(item.getMetadata('constellation')),
    bbox: bbox && bbox.every(Number.isFinite) ? [bbox[0], bbox[1], bbox[2], bbox[3]] : null,
    footprint: outerRings(item.geometry),
    thumbnailUrl: thumbnailOf(item),
    asset: chosen.asset ? describeAsset(chosen.asset) : null,
    bands,
    unusable: chosen.reason,
  };
}

/**
 * The GeoTIFF asset to read: stac-js ranks an item's GeoTIFFs (overview/visual roles, COG media type, RGB bands);
 * among those reachable over HTTP(S) ChangeMap takes the best one that holds red, green and blue together (the
 * "visual" true-colour asset of Sentinel-2, NAIP's image), else the best multi-band one. Items whose colours come
 * only as one file per band have no such asset: they are usable when their bands include red, green and blue,
 * which are then stacked (bandStack.ts).
 */
function chooseImageAsset(
  item: Item,
  bands: StacBandAsset[],
): { asset: Asset | null; reason: string | null } {
  const ranked = item
    .rankGeoFiles('geotiff', true, false)
    .map((r) => r.asset)
    .filter((a) => !a.hasRole(['thumbnail', 'overview'], true));
  if (ranked.length === 0) {
    return { asset: null, reason: 'The scene has no GeoTIFF image reachable over HTTP(S).' };
  }
  const rgb = ranked.find((a) => a.findVisualBands() !== null || a.hasRole('visual', true));
  if (rgb) return { asset: rgb, reason: null };
  const multiBand = ranked.find((a) => a.getBands().length >= 3);
  if (multiBand) return { asset: multiBand, reason: null };
  if (DEFAULT_STACK_BANDS.every((name) => bands.some((b) => b.commonName === name))) {
    return { asset: null, reason: null };
  }
  return {
    asset: null,
    reason: `The scene has no true-colour image and no ${DEFAULT_STACK_BANDS.filter((n) => !bands.some((b) => b.commonName === n)).join(', ')} band of its own to stack.`,
  };
}

/**
 * Single-band GeoTIFF assets over HTTP(S) with a STAC common name (eo:bands, or STAC 1.1 bands, which stac-js
 * migrates raster:bands into: nodata, raster:scale, raster:offset, raster:spatial_resolution). One per common name:
 * the best ranked (a COG before a plain TIFF).
 */
function bandAssetsOf(item: Item): StacBandAsset[] {
  const out: StacBandAsset[] = [];
  for (const { asset } of item.rankGeoFiles('geotiff', true, false)) {
    const bands = asset.getBands();
    if (bands.length !== 1 || asset.hasRole(['thumbnail', 'overview'], true)) continue;
    const band = bands[0];
    const commonName = stringOrNull(band['eo:common_name'] ?? band['common_name']);
    if (!commonName || !/^[a-z][a-z0-9_]{0,31}$/.test(commonName)) continue;
    if (out.some((b) => b.commonName === commonName)) continue;
    const href = asset.getAbsoluteUrl() ?? asset.href;
    if (!/^https?:\/\//i.test(href)) continue;
    out.push({
      key: asset.getKey(),
      href,
      commonName,
      name: stringOrNull(band.name),
      resolutionM: positiveOrNull(band['raster:spatial_resolution'] ?? asset.getMetadata('gsd')),
      scale: finiteOrNull(band['raster:scale']),
      offset: finiteOrNull(band['raster:offset']),
      nodata: typeof band.nodata === 'number' ? band.nodata : null,
    });
  }
  return out;
}

function positiveOrNull(value: unknown): number | null {
  const v = finiteOrNull(value);
  return v !== null && v > 0 ? v : null;
}

function describeAsset(asset: Asset): StacImageAsset {
  return {
    key: asset.getKey(),
    href: asset.getAbsoluteUrl() ?? asset.href,
    title: stringOrNull(asset.title),
    commonNames: asset.getBands().map((band) => stringOrNull(band['eo:common_name'] ?? band['common_name'])),
  };
}

function thumbnailOf(item: Item): string | null {
  const [first] = item.getThumbnails(true, 'thumbnail');
  if (!first) return null;
  const url = first.getAbsoluteUrl() ?? first.href;
  return /^https?:\/\//i.test(url) ? url : null;
}

function selfUrl(item: Item): string | null {
  const self = item.getLinkWithRel('self');
  const url = self ? (self.getAbsoluteUrl() ?? self.href) : item.getAbsoluteUrl();
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/** Outer rings of a GeoJSON Polygon or MultiPolygon footprint, dropping anything else. */
export function outerRings(geometry: unknown): [number, number][][] {
  if (!geometry || typeof geometry !== 'object') return [];
  const g = geometry as { type?: unknown; coordinates?: unknown };
  const polygons =
    g.type === 'Polygon'
      ? [g.coordinates]
      : g.type === 'MultiPolygon' && Array.isArray(g.coordinates)
        ? g.coordinates
        : [];
  const rings: [number, number][][] = [];
  for (const polygon of polygons) {
    const outer = Array.isArray(polygon) ? polygon[0] : null;
    if (!Array.isArray(outer)) continue;
    const ring = outer
      .filter((p): p is number[] => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]))
      .map((p): [number, number] => [p[0], p[1]]);
    if (ring.length >= 4) rings.push(ring);
  }
  return rings;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
