// Turns run records into what the API shows: summaries, and chunk outlines in map coordinates (WGS 84, or pixel
// coordinates for imagery without georeference; see gridToMapFn).
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import { pixelToGrid } from '../../core/raster/geoTransform';
import type { RegionSettings, RunDetail, RunSummary } from '../../ipc/contract';
import { gridToMapFn } from '../imagery/crs';
import type { RunRecord } from './runTypes';

export function runSummary(run: RunRecord): RunSummary {
  return {
    id: run.id,
    status: run.status,
    createdAt: run.createdAt,
    modelName: run.modelName,
    modelVersion: run.modelVersion,
    modelRequested: run.modelRequested,
    modelReason: run.modelReason,
    providerRequested: run.providerRequested,
    providerUsed: run.providerUsed,
    chunksDone: run.chunks.filter((c) => c.state === 'done').length,
    chunksTotal: run.chunks.length,
    warnings: run.warnings,
    error: run.error,
  };
}

/** A pixel window's outline in map coordinates (a few points per edge, so reprojected edges stay true). */
export function windowRing(
  grid: GridSpec,
  w: PixelWindow,
  toWgs84: (p: [number, number]) => [number, number],
): [number, number][] {
  const gt = grid.geoTransform;
  const at = (c: number, r: number): [number, number] => toWgs84(pixelToGrid(gt, c, r));
  const steps = 4;
  const ring: [number, number][] = [];
  for (let i = 0; i < steps; i++) ring.push(at(w.x + (w.width * i) / steps, w.y));
  for (let i = 0; i < steps; i++) ring.push(at(w.x + w.width, w.y + (w.height * i) / steps));
  for (let i = 0; i < steps; i++) ring.push(at(w.x + w.width - (w.width * i) / steps, w.y + w.height));
  for (let i = 0; i < steps; i++) ring.push(at(w.x, w.y + w.height - (w.height * i) / steps));
  ring.push(ring[0]);
  return ring;
}

export function runDetail(run: RunRecord, regionSettings: RegionSettings): RunDetail {
  const grid = run.params.grid;
  const toMap = gridToMapFn(grid.crs);
  const toWgs84 = (p: [number, number]) => toMap(p[0], p[1]);
  const chunks = run.chunks.map((c) => ({
    idx: c.idx,
    state: c.state,
    ring: windowRing(grid, c.window, toWgs84),
    worker: c.worker,
  }));
  const ring = windowRing(grid, { x: 0, y: 0, width: grid.width, height: grid.height }, toWgs84);
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const extent: RunDetail['extent'] = [
    Math.min(...lons),
    Math.min(...lats),
    Math.max(...lons),
    Math.max(...lats),
  ];
  return { ...runSummary(run), chunks, extent, regionSettings };
}
