// GDAL .vrt mosaics: VRTDataset with SimpleSource and ComplexSource bands (source band, SrcRect, DstRect,
// NODATA, ScaleOffset/ScaleRatio). Warped VRTs, pixel functions and other drivers are refused by name.
// The XML is read with a real parser (xmlTree): comments, CDATA, entities and either quote style as GDAL writes.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { guessBandRoles } from '../../core/raster/bandRoles';
import type { BandRole, GeoTransform, PixelWindow, SampleType } from '../../core/raster/types';
import { crsFromText, PIXEL_CRS, PIXEL_GEOTRANSFORM } from './crs';
import { MosaicSource, type MosaicPart } from './mosaicSource';
import type { RasterSource } from './rasterSource';
import { child, childrenNamed, parseXml, type XmlElement } from './xmlTree';

const VRT_TYPES: Record<string, SampleType> = {
  Byte: 'uint8',
  UInt16: 'uint16',
  Int16: 'int16',
  UInt32: 'uint32',
  Int32: 'int32',
  Float32: 'float32',
  Float64: 'float64',
};
// NIR: GDAL 3.10's colour interpretation for near infrared (a band stack of per-band assets writes it).
const COLOUR_ROLES: Record<string, BandRole> = {
  Red: 'red',
  Green: 'green',
  Blue: 'blue',
  Alpha: 'alpha',
  NIR: 'nir',
};
/** Source kinds read as a plain copy of source pixels (AveragedSource: GDAL averages when downsampling). */
const SOURCE_KINDS = ['SimpleSource', 'ComplexSource', 'AveragedSource'];

/** Deepest chain of VRTs naming VRTs that is followed; GDAL mosaics rarely nest more than two. */
export const MAX_VRT_DEPTH = 8;

/**
 * Opens a VRT. `openFile` opens each source, passing on `chain` (the VRTs being opened around this one, outermost
 * first) so a VRT naming itself, directly or through others, is refused instead of recursing without end.
 */
export async function openVrt(
  path: string,
  openFile: (uri: string, chain: readonly string[]) => Promise<RasterSource>,
  chain: readonly string[] = [],
): Promise<RasterSource> {
  const name = path.split(/[\\/]/).pop();
  const here = resolve(path);
  if (chain.includes(here)) {
    throw new ChangeMapError(
      'VRT_CYCLE',
      `"${name}" names itself as a source (${[...chain, here].map((p) => p.split(/[\\/]/).pop()).join(' -> ')}); point its SourceFilename at image files instead.`,
    );
  }
  if (chain.length >= MAX_VRT_DEPTH) {
    throw new ChangeMapError(
      'VRT_TOO_DEEP',
      `"${name}" is nested ${chain.length + 1} VRTs deep, more than the ${MAX_VRT_DEPTH} ChangeMap follows; flatten it with gdalbuildvrt on the image files.`,
    );
  }
  const inner = [...chain, here];
  const xml = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new ChangeMapError('FILE_NOT_FOUND', `"${name}" cannot be opened.`, { cause: error });
  });
  const parsed = parseXml(xml);
  if ('error' in parsed)
    throw new ChangeMapError('VRT_INVALID', `"${name}" is not valid XML: ${parsed.error}.`);
  const root = parsed;
  if (root.name !== 'VRTDataset')
    throw new ChangeMapError('VRT_INVALID', `"${name}" is not a GDAL VRT (no VRTDataset element).`);
  if (root.attrs.subClass === 'VRTWarpedDataset') {
    throw new ChangeMapError(
      'VRT_UNSUPPORTED',
      `"${name}" is a warped VRT; ChangeMap reads mosaic VRTs only.`,
    );
  }
  const width = Number(root.attrs.rasterXSize);
  const height = Number(root.attrs.rasterYSize);
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new ChangeMapError(
      'VRT_INVALID',
      `"${name}" gives no valid raster size (rasterXSize="${root.attrs.rasterXSize ?? ''}", rasterYSize="${root.attrs.rasterYSize ?? ''}").`,
    );
  }
  const srs = child(root, 'SRS')?.text;
  const gtText = child(root, 'GeoTransform')?.text;
  // Without both an SRS and a GeoTransform the VRT is in pixel space, as GDAL reads it.
  const georeferenced = !!srs && !!gtText;
  const crs = georeferenced ? crsFromText(srs) : PIXEL_CRS;
  const geoTransform = georeferenced ? parseGeoTransform(gtText, name) : PIXEL_GEOTRANSFORM;

  const bandElements = childrenNamed(root, 'VRTRasterBand');
  if (bandElements.length === 0) throw new ChangeMapError('VRT_INVALID', `"${name}" has no bands.`);
  const types = new Set(bandElements.map((b) => b.attrs.dataType ?? 'Byte'));
  const sampleType = VRT_TYPES[[...types][0]];
  if (types.size !== 1 || !sampleType) {
    throw new ChangeMapError(
      'VRT_UNSUPPORTED',
      `"${name}" mixes or uses unsupported band types (${[...types].join(', ')}).`,
    );
  }
  if (bandElements.some((b) => b.attrs.subClass === 'VRTDerivedRasterBand')) {
    throw new ChangeMapError(
      'VRT_UNSUPPORTED',
      `"${name}" uses pixel functions, which ChangeMap does not evaluate.`,
    );
  }
  const nodata = optionalNumber(child(bandElements[0], 'NoDataValue'));

  const sources = new Map<string, Promise<RasterSource>>();
  const grouped = new Map<string, MosaicPart>();
  const roles: (string | undefined)[] = [];
  const baseDir = dirname(path);
  try {
    for (let band = 0; band < bandElements.length; band++) {
      const bandElement = bandElements[band];
      roles.push(child(bandElement, 'ColorInterp')?.text);
      for (const src of childrenNamed(bandElement, ...SOURCE_KINDS)) {
        const fileElement = child(src, 'SourceFilename');
        if (!fileElement?.text) continue;
        const file = sourcePath(fileElement, baseDir);
        if (!sources.has(file)) sources.set(file, openFile(file, inner));
        const source = await sources.get(file)!;
        const srcBand = Number(child(src, 'SourceBand')?.text ?? band + 1) - 1;
        const sm = source.metadata;
        if (!(Number.isInteger(srcBand) && srcBand >= 0 && srcBand < sm.bandCount)) {
          throw new ChangeMapError(
            'VRT_SOURCE_BAND_INVALID',
            `"${name}" band ${band + 1} reads SourceBand ${child(src, 'SourceBand')?.text ?? band + 1} of "${file.split(/[\\/]/).pop()}", which has ${sm.bandCount} band${sm.bandCount === 1 ? '' : 's'}; fix the SourceBand in the VRT.`,
          );
        }
        const srcRect = rect(child(src, 'SrcRect')) ?? {
          x: 0,
          y: 0,
          width: sm.grid.width,
          height: sm.grid.height,
        };
        const dstRect = rect(child(src, 'DstRect')) ?? srcRect;
        const scaleRatio = optionalNumber(child(src, 'ScaleRatio')) ?? 1;
        const scaleOffset = optionalNumber(child(src, 'ScaleOffset')) ?? 0;
        const partNodata = optionalNumber(child(src, 'NODATA'));
        const key = JSON.stringify([file, srcRect, dstRect, scaleRatio, scaleOffset, partNodata]);
        let part = grouped.get(key);
        if (!part) {
          part = {
            source,
            srcRect,
            dstRect,
            bandMap: new Array(bandElements.length).fill(null),
            scaleRatio,
            scaleOffset,
            nodata: partNodata,
          };
          grouped.set(key, part);
        }
        part.bandMap[band] = srcBand;
      }
    }
  } catch (error) {
    // Nothing stays open when the VRT is refused halfway.
    await Promise.all(
      [...sources.values()].map((p) =>
        p.then(
          (s) => s.close(),
          () => undefined,
        ),
      ),
    );
    throw error;
  }
  const opened = await Promise.all(sources.values());
  const first = opened[0]?.metadata;
  const bandRoles: BandRole[] =
    roles.filter((r) => r && COLOUR_ROLES[r]).length >= Math.min(3, bandElements.length)
      ? roles.map((r) => (r && COLOUR_ROLES[r]) || 'other')
      : first?.bandRoles.length === bandElements.length
        ? first.bandRoles
        : guessBandRoles({ bandCount: bandElements.length, sampleType });
  return new MosaicSource(
    {
      uris: [path, ...sources.keys()],
      grid: { width, height, geoTransform, crs },
      bandCount: bandElements.length,
      sampleType,
      nodata,
      bandRoles,
      acquiredAt: first?.acquiredAt ?? null,
      overviews: [],
      compression: first?.compression ?? 'none',
    },
    [...grouped.values()],
  );
}

/** A source file's path: /vsicurl/ URLs as URLs, relativeToVRT="1" paths from the VRT's folder. */
function sourcePath(element: XmlElement, baseDir: string): string {
  const raw = element.text;
  if (/^(https?:)?\/vsicurl\//.test(raw)) return raw.replace(/^\/vsicurl\//, '');
  return element.attrs.relativeToVRT === '1' && !isAbsolute(raw) ? resolve(baseDir, raw) : raw;
}

function parseGeoTransform(text: string, name: string | undefined): GeoTransform {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length !== 6 || values.some((v) => !Number.isFinite(v))) {
    throw new ChangeMapError(
      'VRT_INVALID',
      `"${name}" has a GeoTransform that is not six numbers ("${text.slice(0, 80)}").`,
    );
  }
  return values as GeoTransform;
}

function optionalNumber(element: XmlElement | undefined): number | null {
  if (!element || element.text === '') return null;
  const text = element.text.toLowerCase();
  return text === 'nan' ? NaN : Number(text);
}

function rect(element: XmlElement | undefined): PixelWindow | null {
  if (!element) return null;
  return {
    x: Number(element.attrs.xOff),
    y: Number(element.attrs.yOff),
    width: Number(element.attrs.xSize),
    height: Number(element.attrs.ySize),
  };
}
