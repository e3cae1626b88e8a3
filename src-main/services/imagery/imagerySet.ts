// One date's imagery: one or many GeoTIFF tiles, a GDAL .vrt or a COG URL, read as one mosaic, with the summary a
// planner sees (CRS, pixel size, size, footprint, bands and roles, data type, nodata, acquisition date).
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { pixelToGrid } from '../../core/raster/geoTransform';
import type { BandRole, CrsInfo, GridSpec } from '../../core/raster/types';
import { specialFileKind } from '../fileSafety/fileErrors';
import { buildMosaic } from './buildMosaic';
import { converter, WGS84 } from './crs';
import { checkGeoreference } from './georeferenceCheck';
import { openGeoTiff, type OpenOptions } from './geotiffSource';
import { IMAGE_FILE_EXTENSIONS, openImageFile } from './imageFileSource';
import type { RasterMetadata, RasterSource } from './rasterSource';
import { checkAddressScheme } from './remoteAddress';
import { openVrt } from './vrtSource';

export interface ImagerySummary {
  /** proj4: the definition, so the map can show pointer positions in the grid's own coordinates. */
  crs: { code: string | null; name: string; proj4?: string | null };
  /** Ground size of a pixel in metres (x, y); null without georeference. */
  pixelSizeM: [number, number] | null;
  widthPx: number;
  heightPx: number;
  areaKm2: number | null;
  /** GeoJSON polygon in WGS 84 (lon, lat); null without georeference. */
  footprint: { type: 'Polygon'; coordinates: [number, number][][] } | null;
  bandCount: number;
  bandRoles: BandRole[];
  sampleType: RasterMetadata['sampleType'];
  nodata: number | null;
  acquiredAt: string | null;
  hasOverviews: boolean;
  files: string[];
}

export interface ImagerySet extends RasterSource {
  readonly summary: ImagerySummary;
  /** The same set with the user's band roles (same files, nothing re-read). */
  withBandRoles(roles: BandRole[]): ImagerySet;
}

/**
 * A folder, FIFO or device is named as what it is before a byte is read (reading a FIFO blocks, /dev/urandom never
 * ends, and both report 0 bytes); a path that is not there is left to the readers' own FILE_NOT_FOUND.
 */
async function refuseSpecialFile(file: string): Promise<void> {
  const present = await stat(file).catch(() => null);
  const kind = present && specialFileKind(present);
  if (kind)
    throw new ChangeMapError(
      'FILE_NOT_A_FILE',
      `"${basename(file)}" is ${kind}, not an image file (${file}). Give the path of a GeoTIFF, VRT, PNG or JPEG file.`,
    );
}

/** Opens a file or URL: .vrt as a VRT mosaic, .png/.jpg/.jpeg as a decoded image, anything else as a GeoTIFF. */
export async function openRaster(
  uri: string,
  options: OpenOptions = {},
  /** VRTs being opened around this file (see openVrt): how VRT cycles are caught. */
  vrtChain: readonly string[] = [],
): Promise<RasterSource> {
  checkAddressScheme(uri);
  const local = !/^https?:/i.test(uri);
  if (local) await refuseSpecialFile(uri);
  const ext = /\.([a-z0-9]+)$/i.exec(uri)?.[1].toLowerCase() ?? '';
  const source = await (local && ext === 'vrt'
    ? openVrt(uri, (u, chain) => openRaster(u, options, chain), vrtChain)
    : local && IMAGE_FILE_EXTENSIONS.includes(ext)
      ? openImageFile(uri)
      : openGeoTiff(uri, options));
  try {
    checkGeoreference(source.metadata.grid, basename(uri));
  } catch (error) {
    await source.close().catch(() => undefined);
    throw error;
  }
  return source;
}

export async function openImagerySet(uris: string[], options: OpenOptions = {}): Promise<ImagerySet> {
  if (uris.length === 0)
    throw new ChangeMapError('IMAGERY_EMPTY', 'Choose at least one image file for this date.');
  const opened: RasterSource[] = [];
  try {
    for (const uri of uris) opened.push(await openRaster(uri, options));
    return asImagerySet(buildMosaic(opened));
  } catch (error) {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    throw error;
  }
}

export function asImagerySet(source: RasterSource, roles?: BandRole[]): ImagerySet {
  if (roles && roles.length !== source.metadata.bandCount) {
    throw new ChangeMapError(
      'BAND_ROLES_INVALID',
      `Give one role per band (${source.metadata.bandCount} bands).`,
    );
  }
  const metadata: RasterMetadata = roles ? { ...source.metadata, bandRoles: roles } : source.metadata;
  const summary = summarise(metadata);
  return {
    metadata,
    summary,
    readWindow: (window, options) => source.readWindow(window, options),
    close: () => source.close(),
    withBandRoles: (next) => asImagerySet(source, next),
  };
}

function summarise(m: RasterMetadata): ImagerySummary {
  const { grid } = m;
  const georeferenced = grid.crs.code !== null;
  const pixelSizeM = georeferenced ? groundPixelSize(grid) : null;
  return {
    crs: { code: grid.crs.code, name: grid.crs.name, proj4: grid.crs.proj4 },
    pixelSizeM,
    widthPx: grid.width,
    heightPx: grid.height,
    areaKm2: pixelSizeM ? (grid.width * grid.height * pixelSizeM[0] * pixelSizeM[1]) / 1e6 : null,
    footprint: georeferenced ? footprintWgs84(grid) : null,
    bandCount: m.bandCount,
    bandRoles: m.bandRoles,
    sampleType: m.sampleType,
    nodata: m.nodata,
    acquiredAt: m.acquiredAt,
    hasOverviews: m.overviews.length > 0,
    files: m.uris,
  };
}

/** Pixel size in metres; for geographic grids measured at the grid's centre latitude. */
export function groundPixelSize(grid: GridSpec): [number, number] {
  const gt = grid.geoTransform;
  const sx = Math.hypot(gt[1], gt[4]);
  const sy = Math.hypot(gt[2], gt[5]);
  if (grid.crs.units !== 'degree') return [sx, sy];
  const lat = ((gt[3] + (grid.width / 2) * gt[4] + (grid.height / 2) * gt[5]) * Math.PI) / 180;
  // Metres per degree on the WGS 84 ellipsoid (series expansion, error < 1 cm per degree).
  const mLat = 111132.92 - 559.82 * Math.cos(2 * lat) + 1.175 * Math.cos(4 * lat);
  const mLon = 111412.84 * Math.cos(lat) - 93.5 * Math.cos(3 * lat);
  return [sx * mLon, sy * mLat];
}

/** The grid's outline (21 points per edge, so curved edges stay curved) as a WGS 84 polygon. */
export function footprintWgs84(grid: GridSpec, crs: CrsInfo = WGS84()): ImagerySummary['footprint'] {
  const ring = gridOutline(grid, 20);
  const toWgs = grid.crs.code === crs.code ? null : converter(grid.crs, crs);
  const coords = ring.map(([x, y]) =>
    toWgs ? (toWgs.forward([x, y]) as [number, number]) : ([x, y] as [number, number]),
  );
  return { type: 'Polygon', coordinates: [coords] };
}

/** Points along the grid's edge in its CRS, counter-clockwise, closed. */
export function gridOutline(grid: GridSpec, perEdge: number): [number, number][] {
  const gt = grid.geoTransform;
  const at = (c: number, r: number) => pixelToGrid(gt, c, r);
  const pts: [number, number][] = [];
  const { width: w, height: h } = grid;
  for (let i = 0; i < perEdge; i++) pts.push(at(0, (h * i) / perEdge));
  for (let i = 0; i < perEdge; i++) pts.push(at((w * i) / perEdge, h));
  for (let i = 0; i < perEdge; i++) pts.push(at(w, h - (h * i) / perEdge));
  for (let i = 0; i < perEdge; i++) pts.push(at(w - (w * i) / perEdge, 0));
  pts.push(pts[0]);
  return pts;
}
