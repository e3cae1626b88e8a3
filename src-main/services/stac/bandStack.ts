// Scenes whose bands are one COG each (Sentinel-2 L2A, Landsat C2 L2) read as one multi-band image. By reference,
// the stack is a GDAL VRT in the project's data folder naming each band's unsigned address (/vsicurl/), which the
// imagery service opens like any VRT (vrtSource.ts, MosaicSource: the same window read from each band COG, coarser
// bands resampled by nearest neighbour onto the finest band's grid, nodata left out) and GDAL or QGIS open too;
// downloaded, it is that VRT read window by window into one GeoTIFF.
// raster:bands scale and offset are carried as each band's Scale/Offset (GDAL applies them when asked), not baked
// into the pixels: the models' per-band p2..p98 stretch of integer bands (core/raster/scaling.ts) is the same
// either way, while float reflectance would pass unstretched and look nearly black to them.
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import type { GridSpec, PixelWindow, SampleType } from '../../core/raster/types';
import { DEFAULT_STACK_BANDS, type StacBandAsset } from '../../ipc/stacSchemas';
import { createGeoTiffWriter } from '../imagery/geotiffWriter';
import type { OpenOptions } from '../imagery/geotiffSource';
import { openRaster } from '../imagery/imagerySet';
import type { RasterMetadata } from '../imagery/rasterSource';

export interface StackBand {
  asset: StacBandAsset;
  /** The band COG's own grid and sample type, as opened. */
  grid: GridSpec;
  sampleType: SampleType;
  /** Where the band lands on the stack's grid (larger than its grid where the band is coarser). */
  dstRect: PixelWindow;
}

export interface StackLayout {
  /** The finest band's grid. */
  grid: GridSpec;
  sampleType: SampleType;
  nodata: number | null;
  bands: StackBand[];
}

/** The scene's band assets of these common names, in this order; refused in one sentence when one is missing. */
export function pickBands(
  scene: { id: string; bands?: StacBandAsset[] },
  names: readonly string[] = DEFAULT_STACK_BANDS,
): StacBandAsset[] {
  const have = scene.bands ?? [];
  return names.map((name) => {
    const band = have.find((b) => b.commonName === name);
    if (!band) {
      throw new ChangeMapError(
        'STAC_BAND_MISSING',
        `Scene ${scene.id} has no ${name} band of its own${have.length ? ` (it has ${have.map((b) => b.commonName).join(', ')})` : ''}; choose among its bands.`,
      );
    }
    return band;
  });
}

/**
 * Opens each band's COG (signed where its storage needs it) to learn its grid, and lays the bands on the finest
 * one's grid. Different CRSs, rotated or multi-band assets are refused in one sentence.
 */
export async function planBandStack(
  sceneId: string,
  assets: StacBandAsset[],
  options: OpenOptions = {},
): Promise<StackLayout> {
  const metas: RasterMetadata[] = [];
  for (const asset of assets) {
    const source = await openRaster(asset.href, options);
    metas.push(source.metadata);
    await source.close();
  }
  const first = metas[0].grid;
  metas.forEach((m, i) => {
    const gt = m.grid.geoTransform;
    if (m.grid.crs.code !== first.crs.code) {
      throw new ChangeMapError(
        'STAC_BANDS_MIXED_CRS',
        `The ${assets[i].commonName} band of scene ${sceneId} is in ${m.grid.crs.name} and its ${assets[0].commonName} band in ${first.crs.name}; bands in different CRSs cannot be stacked, choose other bands.`,
      );
    }
    if (gt[2] !== 0 || gt[4] !== 0) {
      throw new ChangeMapError(
        'STAC_BANDS_ROTATED',
        `The ${assets[i].commonName} band of scene ${sceneId} is rotated; only north-up bands can be stacked.`,
      );
    }
    if (m.bandCount !== 1) {
      throw new ChangeMapError(
        'STAC_BAND_NOT_SINGLE',
        `The ${assets[i].commonName} asset of scene ${sceneId} holds ${m.bandCount} bands, not one; use the scene's image instead of stacking.`,
      );
    }
  });
  const finest = metas.reduce((best, m) =>
    Math.abs(m.grid.geoTransform[1]) < Math.abs(best.grid.geoTransform[1]) ? m : best,
  );
  const grid = finest.grid;
  const [x0, rx, , y0, , ry] = grid.geoTransform;
  // `|| 0`: no -0 offsets in the VRT.
  const at = (value: number) => Math.round(value) || 0;
  const bands = metas.map((m, i): StackBand => {
    const gt = m.grid.geoTransform;
    return {
      asset: assets[i],
      grid: m.grid,
      sampleType: m.sampleType,
      dstRect: {
        x: at((gt[0] - x0) / rx),
        y: at((gt[3] - y0) / ry),
        width: at((m.grid.width * gt[1]) / rx),
        height: at((m.grid.height * gt[5]) / ry),
      },
    };
  });
  const types = new Set(metas.map((m) => m.sampleType));
  return {
    grid,
    sampleType: types.size === 1 ? metas[0].sampleType : 'float32',
    nodata:
      assets.find((a) => a.nodata !== null)?.nodata ?? metas.find((m) => m.nodata !== null)?.nodata ?? null,
    bands,
  };
}

const VRT_TYPE: Record<SampleType, string> = {
  uint8: 'Byte',
  uint16: 'UInt16',
  int16: 'Int16',
  uint32: 'UInt32',
  int32: 'Int32',
  float32: 'Float32',
  float64: 'Float64',
};
const COLOUR_INTERP: Record<string, string> = {
  red: 'Red',
  green: 'Green',
  blue: 'Blue',
  nir: 'NIR',
  nir08: 'NIR',
};

/** The stack as a GDAL VRT: one band per asset, each a ComplexSource of its COG's unsigned address. */
export function bandStackVrt(layout: StackLayout): string {
  const { grid } = layout;
  const type = VRT_TYPE[layout.sampleType];
  const bands = layout.bands.map((b, i) => {
    const a = b.asset;
    const interp = COLOUR_INTERP[a.commonName];
    const nodata = a.nodata ?? layout.nodata;
    return [
      `  <VRTRasterBand dataType="${type}" band="${i + 1}">`,
      `    <Description>${xml(a.commonName)}</Description>`,
      interp ? `    <ColorInterp>${interp}</ColorInterp>` : null,
      nodata !== null ? `    <NoDataValue>${nodata}</NoDataValue>` : null,
      a.offset !== null ? `    <Offset>${a.offset}</Offset>` : null,
      a.scale !== null ? `    <Scale>${a.scale}</Scale>` : null,
      '    <ComplexSource>',
      `      <SourceFilename relativeToVRT="0">/vsicurl/${xml(a.href)}</SourceFilename>`,
      '      <SourceBand>1</SourceBand>',
      `      <SrcRect xOff="0" yOff="0" xSize="${b.grid.width}" ySize="${b.grid.height}" />`,
      `      <DstRect xOff="${b.dstRect.x}" yOff="${b.dstRect.y}" xSize="${b.dstRect.width}" ySize="${b.dstRect.height}" />`,
      a.nodata !== null ? `      <NODATA>${a.nodata}</NODATA>` : null,
      '    </ComplexSource>',
      '  </VRTRasterBand>',
    ]
      .filter((line) => line !== null)
      .join('\n');
  });
  return [
    `<VRTDataset rasterXSize="${grid.width}" rasterYSize="${grid.height}">`,
    `  <SRS>${grid.crs.code}</SRS>`,
    `  <GeoTransform>${grid.geoTransform.join(', ')}</GeoTransform>`,
    ...bands,
    '</VRTDataset>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Writes the stack's VRT (atomically) and returns its path. */
export function writeBandStackVrt(file: string, layout: StackLayout): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.part`, bandStackVrt(layout));
  fs.renameSync(`${file}.part`, file);
  return file;
}

export interface StackDownloadProgress {
  rows: number;
  totalRows: number;
}

/** Rows read per step of a download: a few hundred kB per band COG request. */
const DOWNLOAD_STRIP_ROWS = 256;

/**
 * Reads the stack (its VRT) strip by strip into one tiled GeoTIFF (`file`), with the bands' nodata, scale, offset
 * and names; written beside as `.part` and renamed when complete, so a cancelled download leaves nothing half done.
 */
export async function downloadBandStack(
  vrt: string,
  layout: StackLayout,
  file: string,
  options: { signal?: AbortSignal; onProgress?: (p: StackDownloadProgress) => void } = {},
): Promise<string> {
  if (fs.existsSync(file)) return file;
  const source = await openRaster(vrt, { signal: options.signal });
  const { width, height } = layout.grid;
  const part = `${file}.part`;
  const writer = await createGeoTiffWriter(part, {
    width,
    height,
    bands: layout.bands.length,
    sampleType: layout.sampleType,
    grid: layout.grid,
    nodata: layout.nodata,
    bandInfo: layout.bands.map((b) => ({
      description: b.asset.commonName,
      ...(b.asset.scale !== null ? { scale: b.asset.scale } : {}),
      ...(b.asset.offset !== null ? { offset: b.asset.offset } : {}),
    })),
  });
  try {
    for (let y = 0; y < height; y += DOWNLOAD_STRIP_ROWS) {
      if (options.signal?.aborted) {
        throw new ChangeMapError(
          'STAC_CANCELLED',
          'The download of the stacked bands was stopped; nothing was kept.',
        );
      }
      const window = { x: 0, y, width, height: Math.min(DOWNLOAD_STRIP_ROWS, height - y) };
      const { data } = await source.readWindow(window, { signal: options.signal });
      await writer.writeWindow(window, data);
      options.onProgress?.({ rows: y + window.height, totalRows: height });
    }
    await writer.close();
    fs.renameSync(part, file);
    return file;
  } catch (error) {
    await writer.abort().catch(() => undefined);
    fs.rmSync(part, { force: true });
    throw error;
  } finally {
    await source.close();
  }
}
