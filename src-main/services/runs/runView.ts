// Turns run records into what the API shows: summaries, and chunk outlines in WGS 84 for the map.
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import type { RegionSettings, RunDetail, RunSummary } from '../../ipc/contract';
import { converter, WGS84 } from '../imagery/crs';
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

/** A pixel window's outline in WGS 84 (a few points per edge, so reprojected edges stay true). */
export function windowRing(
  grid: GridSpec,
  w: PixelWindow,
  toWgs84: (p: [number, number]) => [number, number],
): [number, number][] {
  const gt = grid.geoTransform;
  const at = (c: number, r: number): [number, number] =>
    toWgs84([gt[0] + c * gt[1] + r * gt[2], gt[3] + c * gt[4] + r * gt[5]]);
  const steps = 4;
  const ring: [number, number][] = [];
  for (let i = 0; i < steps; i++) ring.push(at(w.x + (w.width * i) / steps, w.y));
  for (let i = 0; i < steps; i++) ring.push(at(w.x + w.width, w.y + (w.height * i) / steps));
  for (let i = 0; i < steps; i++) ring.push(at(w.x + w.width - (w.width * i) / steps, w.y + w.height));
  for (let i = 0; i < steps; i++) ring.push(at(w.x, w.y + w.height - (w.height * i) / steps));
  ring.push(ring[0]);
  return ring;
}

export function gridToWgs84(grid: GridSpec): ((p: [number, number]) => [number, number]) | null {
  if (!grid.crs.code) return null;
  if (grid.crs.code === 'EPSG:4326') return (p) => p;
  const c = converter(grid.crs, WGS84());
  return (p) => c.forward(p) as [number, number];
}

export function runDetail(run: RunRecord, regionSettings: RegionSettings): RunDetail {
  const grid = run.params.grid;
  const toWgs84 = gridToWgs84(grid);
  const chunks = run.chunks.map((c) => ({
    idx: c.idx,
    state: c.state,
    ring: toWgs84 ? windowRing(grid, c.window, toWgs84) : [],
  }));
  let extent: RunDetail['extent'] = null;
  if (toWgs84) {
    const ring = windowRing(grid, { x: 0, y: 0, width: grid.width, height: grid.height }, toWgs84);
    const lons = ring.map((p) => p[0]);
    const lats = ring.map((p) => p[1]);
    extent = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  }
  return { ...runSummary(run), chunks, extent, regionSettings };
}
