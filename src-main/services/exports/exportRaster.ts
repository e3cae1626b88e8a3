// Exports a run's rasters as Cloud-Optimized GeoTIFFs: the change probability (the run's raster, its values
// unchanged: bytes 0..254 with GDAL scale 1/254 so GDAL and QGIS read 0..1, 255 no data) or the change mask (the
// probability thresholded: 1 change, 0 no change, 255 no data), streamed block by block through the imagery
// service's tiled writer so a scene of any size fits in memory. Written atomically like every export.

import type Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { exportRasterRequest, type Request } from '../../ipc/contract';
import { thresholdProbability, MASK_NODATA } from '../../core/exportFormats/changeMask';
import type { RasterArray } from '../../core/raster/sampleTypes';
import { PROBABILITY_SCALE } from '../../core/tiling/blend';
import { withAtomicFile, type FileOps } from '../fileSafety/atomicWrite';
import { createGeoTiffWriter, type BandInfo, type GeoTiffWriterOptions } from '../imagery/geotiffWriter';
import { openGeoTiff } from '../imagery/geotiffSource';
import type { RasterSource } from '../imagery/rasterSource';
import { projectDataDir } from '../project/projectStore';
import { resolveStoredPath } from '../project/storedPaths';
import { regionSettingsForRun } from '../regions/regionSettings';
import { checkExportTarget } from './exportTarget';
import { readRunProvenance } from './regionSource';

export interface RasterExportDeps {
  /** The project's data folder (probability paths are relative to it). Default: beside the project file. */
  dataDir?: string;
  fileOps?: Partial<FileOps>;
  signal?: AbortSignal;
  /** Pixels per side of the blocks the mask is computed in (a multiple of the 256-pixel tile). Default 2048. */
  blockSize?: number;
}

export interface RasterExportResult {
  path: string;
  width: number;
  height: number;
  /** Mask only: pixels marked as change. */
  changedPixels?: number;
}

const CODE_PREFIX = 'EXPORT';
const TILE = 256;

function dataDirOf(db: Database.Database, deps: RasterExportDeps): string {
  if (deps.dataDir) return deps.dataDir;
  if (!db.name || db.memory) {
    throw new ChangeMapError(
      'EXPORT_NO_RASTER',
      'This project has no data folder, so it holds no rasters to export.',
    );
  }
  return projectDataDir(db.name);
}

/**
 * Streams the source's first band through `convert` into a COG at `file`, block by block.
 * Returns what convert counted (changed pixels for the mask).
 */
async function writeCogFrom(
  raster: RasterSource,
  file: string,
  writerOptions: Pick<GeoTiffWriterOptions, 'sampleType' | 'nodata' | 'overviewResampling' | 'bandInfo'>,
  convert: (data: RasterArray, valid: Uint8Array) => { values: RasterArray; counted: number },
  deps: RasterExportDeps,
): Promise<number> {
  const { grid } = raster.metadata;
  const block = Math.max(TILE, Math.round((deps.blockSize ?? 2048) / TILE) * TILE);
  const writer = await createGeoTiffWriter(file, {
    ...writerOptions,
    width: grid.width,
    height: grid.height,
    bands: 1,
    grid,
    tileSize: TILE,
    layout: 'cog',
  });
  let counted = 0;
  try {
    for (let y = 0; y < grid.height; y += block) {
      for (let x = 0; x < grid.width; x += block) {
        if (deps.signal?.aborted) throw new ChangeMapError('EXPORT_CANCELLED', 'The export was cancelled.');
        const window = {
          x,
          y,
          width: Math.min(block, grid.width - x),
          height: Math.min(block, grid.height - y),
        };
        const { data, valid } = await raster.readWindow(window, { bands: [0], signal: deps.signal });
        const converted = convert(data, valid);
        counted += converted.counted;
        await writer.writeWindow(window, converted.values);
      }
    }
    await writer.close();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
  return counted;
}

/** How GIS software should read the probability band: runs store probability x 254 in bytes. */
function probabilityBand(raster: RasterSource): BandInfo {
  const description = 'change probability (0..1)';
  return raster.metadata.sampleType === 'uint8'
    ? { scale: 1 / PROBABILITY_SCALE, offset: 0, description }
    : { description };
}

/**
 * Writes the run's probability raster or change mask to request.out. Errors: EXPORT_BAD_REQUEST,
 * EXPORT_RUN_NOT_FOUND, EXPORT_NO_RASTER, EXPORT_CANCELLED and the file errors of exportRegions
 * (EXPORT_EXISTS, EXPORT_NO_PERMISSION, EXPORT_DISK_FULL, EXPORT_FOLDER_MISSING, EXPORT_IN_USE).
 */
export async function exportRaster(
  db: Database.Database,
  request: Request<'export:raster'>,
  deps: RasterExportDeps = {},
): Promise<RasterExportResult> {
  const parsed = exportRasterRequest.safeParse(request);
  if (!parsed.success) {
    throw new ChangeMapError(
      'EXPORT_BAD_REQUEST',
      `The export request is not valid: ${parsed.error.issues[0]?.message}.`,
    );
  }
  const req = parsed.data;
  const out = path.resolve(req.out);
  const run = readRunProvenance(db, req.runId);
  if (!run.probabilityPath) {
    throw new ChangeMapError(
      'EXPORT_NO_RASTER',
      `Run ${req.runId} has no probability raster (it has not produced one yet).`,
    );
  }
  const source = resolveStoredPath(
    dataDirOf(db, deps),
    run.probabilityPath,
    `the probability raster of run ${req.runId}`,
  );
  if (!fs.existsSync(source)) {
    throw new ChangeMapError(
      'EXPORT_NO_RASTER',
      `The probability raster of run ${req.runId} is missing from the project's data folder (${source}).`,
    );
  }
  const overwrite = checkExportTarget(db, { out, kind: 'geotiff', confirmed: req.overwrite });
  const atomic = { overwrite, codePrefix: CODE_PREFIX, ops: deps.fileOps };
  const raster = await openGeoTiff(source);
  try {
    const { grid } = raster.metadata;
    if (req.kind === 'probability') {
      await withAtomicFile(
        out,
        (tmp) =>
          writeCogFrom(
            raster,
            tmp,
            {
              sampleType: raster.metadata.sampleType,
              nodata: raster.metadata.nodata,
              overviewResampling: 'average',
              bandInfo: [probabilityBand(raster)],
            },
            (data) => ({ values: data, counted: 0 }),
            deps,
          ),
        atomic,
      );
      return { path: out, width: grid.width, height: grid.height };
    }
    // The run's threshold by the one rule (saved for the run, else the model card's, else the fallback).
    const threshold = req.threshold ?? regionSettingsForRun(db, req.runId).threshold;
    const changedPixels = await withAtomicFile(
      out,
      (tmp) =>
        writeCogFrom(
          raster,
          tmp,
          {
            sampleType: 'uint8',
            nodata: MASK_NODATA,
            overviewResampling: 'nearest',
            bandInfo: [{ description: `change mask (1 change, 0 no change; threshold ${threshold})` }],
          },
          (data, valid) => {
            const { mask, changed } = thresholdProbability(data, valid, threshold);
            return { values: mask, counted: changed };
          },
          deps,
        ),
      atomic,
    );
    return { path: out, width: grid.width, height: grid.height, changedPixels };
  } finally {
    await raster.close();
  }
}
