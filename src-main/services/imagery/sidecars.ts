// Georeference and metadata kept beside an image, as GDAL reads them: the PAM file "name.ext.aux.xml" (SRS,
// GeoTransform, metadata items, per-band nodata), a world file (.pgw, .jgw, .tfw, ... or .wld) and an ESRI .prj.
// Which geotransform wins where both exist follows GDAL's drivers: the world file for PNG and JPEG, the .aux.xml
// for TIFF (GDAL_GEOREF_SOURCES=PAM,INTERNAL,TABFILE,WORLDFILE).
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ChangeMapError } from '../../core/errors';
import type { CrsInfo, GeoTransform } from '../../core/raster/types';
import { crsFromText } from './crs';
import { child, childrenNamed, parseXml } from './xmlTree';

export interface Sidecars {
  /** Null when no sidecar gives one. */
  geoTransform: GeoTransform | null;
  /** Null when no sidecar names one. */
  crs: CrsInfo | null;
  /** Dataset metadata items of the .aux.xml (default domain). */
  metadata: Record<string, string>;
  /** Nodata of the first band in the .aux.xml. */
  nodata: number | null;
  /** The sidecar files that were read. */
  files: string[];
}

/**
 * World file extensions GDAL tries for an image: first and last letter of its extension plus "w" (.pgw, .jgw,
 * .tfw), the extension plus "w" (.pngw, .jpgw, .tifw), then .wld.
 */
export function worldFileExtensions(imagePath: string): string[] {
  const ext = extname(imagePath).slice(1).toLowerCase();
  if (!ext) return ['wld'];
  return [...new Set([`${ext[0]}${ext[ext.length - 1]}w`, `${ext}w`, 'wld'])];
}

/**
 * The six lines of a world file (x pixel size, row rotation, column rotation, y pixel size, x and y of the centre
 * of the upper-left pixel) as a GDAL geotransform, which places the corner of the upper-left pixel.
 */
export function parseWorldFile(text: string, name: string): GeoTransform {
  const values = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, 6)
    .map(Number);
  if (values.length < 6 || values.some((v) => !Number.isFinite(v)) || values[0] === 0 || values[3] === 0) {
    throw new ChangeMapError(
      'WORLD_FILE_INVALID',
      `The world file "${name}" does not hold six numbers with non-zero pixel sizes; fix or remove it.`,
    );
  }
  const [a, d, b, e, c, f] = values;
  return [c - a / 2 - b / 2, a, b, f - d / 2 - e / 2, d, e];
}

/** Reads the sidecars of a local image. Unreadable or malformed sidecars are errors naming the file. */
export async function readSidecars(imagePath: string, order: { worldFileFirst: boolean }): Promise<Sidecars> {
  const result: Sidecars = { geoTransform: null, crs: null, metadata: {}, nodata: null, files: [] };
  const dir = dirname(imagePath);
  const base = basename(imagePath);
  const stem = base.slice(0, base.length - extname(base).length);
  // GDAL tries a sidecar's extension in lower and in upper case (x.pgw, x.PGW). Probing names, rather than
  // listing the folder, keeps a mosaic of thousands of tiles in one folder fast.
  const find = async (stemPart: string, ext: string): Promise<string | null> => {
    for (const candidate of new Set([
      `${stemPart}.${ext.toLowerCase()}`,
      `${stemPart}.${ext.toUpperCase()}`,
    ])) {
      const file = join(dir, candidate);
      if (
        await access(file).then(
          () => true,
          () => false,
        )
      )
        return file;
    }
    return null;
  };

  let auxGeoTransform: GeoTransform | null = null;
  const aux = await find(base, 'aux.xml');
  if (aux) {
    result.files.push(aux);
    const parsed = parseXml(await readFile(aux, 'utf8'));
    if ('error' in parsed || parsed.name !== 'PAMDataset') {
      throw new ChangeMapError(
        'AUX_XML_INVALID',
        `"${basename(aux)}" is not a GDAL .aux.xml file${'error' in parsed ? ` (${parsed.error})` : ''}; fix or remove it.`,
      );
    }
    const srs = child(parsed, 'SRS')?.text;
    if (srs) result.crs = crsFromText(srs);
    const gt = child(parsed, 'GeoTransform')?.text;
    if (gt) {
      const values = gt.split(',').map((v) => Number(v.trim()));
      if (values.length !== 6 || values.some((v) => !Number.isFinite(v))) {
        throw new ChangeMapError(
          'AUX_XML_INVALID',
          `"${basename(aux)}" has a GeoTransform that is not six numbers; fix or remove it.`,
        );
      }
      auxGeoTransform = values as GeoTransform;
    }
    for (const block of childrenNamed(parsed, 'Metadata')) {
      if (block.attrs.domain && block.attrs.domain !== '') continue;
      for (const item of childrenNamed(block, 'MDI'))
        if (item.attrs.key) result.metadata[item.attrs.key] = item.text;
    }
    const band = childrenNamed(parsed, 'PAMRasterBand').find((b) => (b.attrs.band ?? '1') === '1');
    const nodata = band && child(band, 'NoDataValue')?.text;
    if (nodata) result.nodata = nodata.toLowerCase() === 'nan' ? NaN : Number(nodata);
  }

  let worldGeoTransform: GeoTransform | null = null;
  for (const ext of worldFileExtensions(imagePath)) {
    const world = await find(stem, ext);
    if (!world) continue;
    result.files.push(world);
    worldGeoTransform = parseWorldFile(await readFile(world, 'utf8'), basename(world));
    break;
  }
  result.geoTransform = order.worldFileFirst
    ? (worldGeoTransform ?? auxGeoTransform)
    : (auxGeoTransform ?? worldGeoTransform);

  if (!result.crs) {
    const prj = await find(stem, 'prj');
    if (prj) {
      result.files.push(prj);
      result.crs = crsFromText(await readFile(prj, 'utf8'));
    }
  }
  return result;
}

/**
 * The georeference the sidecars give: both a geotransform and a CRS, or neither (pixel space). A geotransform
 * without any CRS is refused: the image cannot be placed, and silently ignoring the world file would mislead.
 */
export function sidecarGeoreference(
  sidecars: Sidecars,
  imageName: string,
): { geoTransform: GeoTransform; crs: CrsInfo } | null {
  if (!sidecars.geoTransform) return null;
  if (!sidecars.crs) {
    throw new ChangeMapError(
      'GEOREFERENCE_NO_CRS',
      `"${imageName}" has a world file but no coordinate system: put a .prj (for example from "gdalsrsinfo -o wkt_esri EPSG:32633") or an .aux.xml with an SRS beside it.`,
    );
  }
  return { geoTransform: sidecars.geoTransform, crs: sidecars.crs };
}
