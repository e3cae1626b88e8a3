// GDAL .vrt mosaics: VRTDataset with SimpleSource and ComplexSource bands (source band, SrcRect, DstRect,
// NODATA, ScaleOffset/ScaleRatio). Warped VRTs, pixel functions and other drivers are refused by name.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { guessBandRoles } from '../../core/raster/bandRoles';
import type { BandRole, GeoTransform, PixelWindow, SampleType } from '../../core/raster/types';
import { crsFromText, PIXEL_CRS } from './crs';
import { MosaicSource, type MosaicPart } from './mosaicSource';
import type { RasterSource } from './rasterSource';

const VRT_TYPES: Record<string, SampleType> = {
  Byte: 'uint8',
  UInt16: 'uint16',
  Int16: 'int16',
  UInt32: 'uint32',
  Int32: 'int32',
  Float32: 'float32',
  Float64: 'float64',
};
const COLOUR_ROLES: Record<string, BandRole> = { Red: 'red', Green: 'green', Blue: 'blue', Alpha: 'alpha' };

export async function openVrt(
  path: string,
  openFile: (uri: string) => Promise<RasterSource>,
): Promise<RasterSource> {
  const name = path.split(/[\\/]/).pop();
  const xml = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new ChangeMapError('FILE_NOT_FOUND', `"${name}" cannot be opened.`, { cause: error });
  });
  const root = /<VRTDataset\b([^>]*)>/.exec(xml);
  if (!root) throw new ChangeMapError('VRT_INVALID', `"${name}" is not a GDAL VRT (no VRTDataset element).`);
  if (/subClass="VRTWarpedDataset"/.test(root[1])) {
    throw new ChangeMapError(
      'VRT_UNSUPPORTED',
      `"${name}" is a warped VRT; ChangeMap reads mosaic VRTs only.`,
    );
  }
  const width = Number(attr(root[1], 'rasterXSize'));
  const height = Number(attr(root[1], 'rasterYSize'));
  const srs = /<SRS[^>]*>([\s\S]*?)<\/SRS>/.exec(xml)?.[1];
  const gtText = /<GeoTransform>([^<]*)<\/GeoTransform>/.exec(xml)?.[1];
  const crs = srs ? crsFromText(unescapeXml(srs)) : PIXEL_CRS;
  const geoTransform = (gtText ? gtText.split(',').map(Number) : [0, 1, 0, 0, 0, 1]) as GeoTransform;

  const bandBlocks = [...xml.matchAll(/<VRTRasterBand\b([^>]*)>([\s\S]*?)<\/VRTRasterBand>/g)];
  if (bandBlocks.length === 0) throw new ChangeMapError('VRT_INVALID', `"${name}" has no bands.`);
  const types = new Set(bandBlocks.map((b) => attr(b[1], 'dataType') ?? 'Byte'));
  const sampleType = VRT_TYPES[[...types][0]];
  if (types.size !== 1 || !sampleType) {
    throw new ChangeMapError(
      'VRT_UNSUPPORTED',
      `"${name}" mixes or uses unsupported band types (${[...types].join(', ')}).`,
    );
  }
  if (bandBlocks.some((b) => /subClass="VRTDerivedRasterBand"/.test(b[1]))) {
    throw new ChangeMapError(
      'VRT_UNSUPPORTED',
      `"${name}" uses pixel functions, which ChangeMap does not evaluate.`,
    );
  }
  const nodataText = /<NoDataValue>([^<]*)<\/NoDataValue>/.exec(bandBlocks[0][2])?.[1];
  const nodata = nodataText === undefined ? null : Number(nodataText);

  const sources = new Map<string, Promise<RasterSource>>();
  const grouped = new Map<string, MosaicPart>();
  const roles: (string | undefined)[] = [];
  const baseDir = dirname(path);
  for (let band = 0; band < bandBlocks.length; band++) {
    const body = bandBlocks[band][2];
    roles.push(/<ColorInterp>([^<]*)<\/ColorInterp>/.exec(body)?.[1]);
    for (const s of body.matchAll(/<(SimpleSource|ComplexSource|AveragedSource)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
      const src = s[2];
      const fileMatch = /<SourceFilename([^>]*)>([^<]*)<\/SourceFilename>/.exec(src);
      if (!fileMatch) continue;
      const raw = unescapeXml(fileMatch[2].trim());
      const relative = attr(fileMatch[1], 'relativeToVRT') === '1';
      const file = /^(https?:)?\/vsicurl\//.test(raw)
        ? raw.replace(/^\/vsicurl\//, '')
        : relative && !isAbsolute(raw)
          ? resolve(baseDir, raw)
          : raw;
      if (!sources.has(file)) sources.set(file, openFile(file));
      const source = await sources.get(file)!;
      const srcBand = Number(/<SourceBand>([^<]*)<\/SourceBand>/.exec(src)?.[1] ?? band + 1) - 1;
      const sm = source.metadata;
      const srcRect = rect(src, 'SrcRect') ?? { x: 0, y: 0, width: sm.grid.width, height: sm.grid.height };
      const dstRect = rect(src, 'DstRect') ?? srcRect;
      const scaleRatio = Number(/<ScaleRatio>([^<]*)<\/ScaleRatio>/.exec(src)?.[1] ?? 1);
      const scaleOffset = Number(/<ScaleOffset>([^<]*)<\/ScaleOffset>/.exec(src)?.[1] ?? 0);
      const nodataText = /<NODATA>([^<]*)<\/NODATA>/.exec(src)?.[1];
      const partNodata = nodataText === undefined ? null : Number(nodataText);
      const key = JSON.stringify([file, srcRect, dstRect, scaleRatio, scaleOffset, partNodata]);
      let part = grouped.get(key);
      if (!part) {
        part = {
          source,
          srcRect,
          dstRect,
          bandMap: new Array(bandBlocks.length).fill(null),
          scaleRatio,
          scaleOffset,
          nodata: partNodata,
        };
        grouped.set(key, part);
      }
      part.bandMap[band] = srcBand;
    }
  }
  const opened = await Promise.all(sources.values());
  const first = opened[0]?.metadata;
  const bandRoles: BandRole[] =
    roles.filter((r) => r && COLOUR_ROLES[r]).length >= Math.min(3, bandBlocks.length)
      ? roles.map((r) => (r && COLOUR_ROLES[r]) || 'other')
      : first?.bandRoles.length === bandBlocks.length
        ? first.bandRoles
        : guessBandRoles({ bandCount: bandBlocks.length, sampleType });
  return new MosaicSource(
    {
      uris: [path, ...sources.keys()],
      grid: { width, height, geoTransform, crs },
      bandCount: bandBlocks.length,
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

function attr(text: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1];
}

function rect(text: string, tag: string): PixelWindow | null {
  const m = new RegExp(`<${tag}\\b([^>]*)/?>`).exec(text);
  if (!m) return null;
  return {
    x: Number(attr(m[1], 'xOff')),
    y: Number(attr(m[1], 'yOff')),
    width: Number(attr(m[1], 'xSize')),
    height: Number(attr(m[1], 'ySize')),
  };
}

function unescapeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
