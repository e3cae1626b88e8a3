// Everything a run's report shows, gathered from the project's services: the method (imagery, dates, model and
// version, settings), the regions and the largest of them with their spot-check pictures, the overview map and
// the accuracy assessment.
import type {
  AccuracyByFeature,
  AccuracyState,
  BoundaryFeatureRow,
  ImageryDateSummary,
  RegionSettings,
} from '../../ipc/contract';
import { getBoundaryLayer } from '../boundaries/boundaryLayers';
import { featureChangeRows } from '../boundaries/featureChange';
import { ChangeMapError } from '../../core/errors';
import { pixelSizeM } from '../regions/classifyRegions';
import { getRegion } from '../regions/regionRecords';
import type { ProjectAccuracy } from '../accuracy/ProjectAccuracy';
import type { ProjectImagery } from '../imagery/ProjectImagery';
import type { PreviewService } from '../preview/PreviewService';
import { mapStretchOfRun } from '../preview/runStretch';
import type { ProjectStore } from '../project/projectStore';
import type { ProjectRegions } from '../regions/ProjectRegions';
import type { RunService } from '../runs/RunService';
import { outlinePath, renderOverviewMap, type OverviewMap } from './overviewMap';

export interface ReportRegion {
  rank: number;
  fid: number;
  areaM2: number;
  transition: string | null;
  description: string;
  probMean: number;
  reviewState: string;
  note: string;
  lon: number;
  lat: number;
  images: { before: Uint8Array; change: Uint8Array; after: Uint8Array } | null;
  /** Why there are no pictures (the imagery cannot be read any more), else null. */
  imagesMissing: string | null;
  metresPerPixel: number | null;
}

export interface ReportData {
  projectName: string;
  generatedAt: string;
  run: {
    id: number;
    createdAt: string;
    finishedAt: string | null;
    modelName: string;
    modelVersion: string;
    modelRequested: string | null;
    modelReason: string | null;
    provider: string;
    crsName: string;
    widthPx: number;
    heightPx: number;
    pixelSizeM: number | null;
    aoi: string;
    warnings: string[];
  };
  imagery: { before: ImageryDateSummary | null; after: ImageryDateSummary | null };
  settings: RegionSettings;
  regionCount: number;
  /** Sum of the regions' areas in m² (pixels when the ground size is unknown). */
  mappedChangeM2: number;
  areaUnit: 'm2' | 'px';
  overview: OverviewMap;
  /** SVG paths and label positions of the largest regions on the overview map. */
  overviewMarks: { rank: number; path: string; x: number; y: number }[];
  largest: ReportRegion[];
  accuracy: AccuracyState | null;
  /** A table per boundary layer joined to the run: its features, most changed first. */
  districts: ReportDistricts[];
}

export interface ReportDistricts {
  layerName: string;
  /** Features shown (at most MAX_DISTRICT_ROWS, most changed first) and how many the layer has. */
  rows: (BoundaryFeatureRow & { accuracy: AccuracyByFeature | null })[];
  total: number;
}

/** Rows of a district table in the report; a parcel layer's long tail is counted, not printed. */
export const MAX_DISTRICT_ROWS = 40;

function districtTables(services: ReportSources, runId: number): ReportDistricts[] {
  const db = services.project.db;
  const joins = db
    .prepare('SELECT layer_id FROM cm_boundary_joins WHERE run_id = ? ORDER BY layer_id')
    .all(runId) as { layer_id: number }[];
  return joins.map(({ layer_id: layerId }) => {
    const rows = featureChangeRows(db, layerId, runId);
    const accuracy = new Map(services.accuracy.byFeature(runId, layerId).map((a) => [a.fid, a]));
    return {
      layerName: getBoundaryLayer(db, layerId).name,
      rows: rows.slice(0, MAX_DISTRICT_ROWS).map((r) => ({ ...r, accuracy: accuracy.get(r.fid) ?? null })),
      total: rows.length,
    };
  });
}

/** The open project's services a report reads (the project registry is one). */
export interface ReportSources {
  readonly project: ProjectStore;
  readonly runs: RunService;
  readonly regions: ProjectRegions;
  readonly imagery: ProjectImagery;
  readonly accuracy: ProjectAccuracy;
  readonly preview: PreviewService;
}

export async function gatherReportData(
  services: ReportSources,
  runId: number,
  largestRegions: number,
): Promise<ReportData> {
  const run = services.runs.getRun(runId);
  if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  if (run.status !== 'done')
    throw new ChangeMapError(
      'REPORT_RUN_NOT_FINISHED',
      `Run ${runId} has not finished, so it has no report yet.`,
    );
  const db = services.project.db;
  const settings = services.regions.settingsOf(runId);
  const probability = await services.regions.probabilityOf(runId);
  const grid = run.params.grid;
  const pixelSpace = grid.crs.code === null;
  const imagery = await services.imagery.state();
  const totals = db
    .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(area_m2), 0) AS area FROM change_regions WHERE run_id = ?')
    .get(runId) as { n: number; area: number };
  const userSize = imagery.mapSpace.kind === 'pixel' ? imagery.mapSpace.pixelSizeM : null;
  const centreLat = imagery.after?.footprint?.[0]?.[1] ?? 0;
  const groundPixel = pixelSpace ? userSize : pixelSizeM(grid, centreLat);
  const overview = await renderOverviewMap(probability, settings.threshold, groundPixel);

  // Straight from the table (its run/area index), not listRegions: a report also reads read-only projects.
  const largestFids = db
    .prepare('SELECT fid FROM change_regions WHERE run_id = ? ORDER BY area_m2 DESC, fid LIMIT ?')
    .all(runId, largestRegions) as { fid: number }[];
  const largest: ReportRegion[] = [];
  // The region pages show the dates as the map draws them.
  const stretch = await mapStretchOfRun(services, runId);
  const overviewMarks: ReportData['overviewMarks'] = [];
  for (const [i, { fid }] of largestFids.entries()) {
    const rank = i + 1;
    const region = getRegion(db, fid);
    let images: ReportRegion['images'] = null;
    let imagesMissing: string | null = null;
    let metresPerPixel: number | null = null;
    try {
      const check = await services.regions.spotCheck(region.fid, runId, stretch);
      images = { before: check.before, change: check.change, after: check.after };
      metresPerPixel = check.metresPerPixel;
    } catch (error) {
      imagesMissing = (error as Error).message;
    }
    largest.push({
      rank,
      fid: region.fid,
      areaM2: region.areaM2,
      transition: region.transition,
      description: region.description,
      probMean: region.probMean,
      reviewState: region.reviewState,
      note: region.note,
      lon: region.centroid.lon,
      lat: region.centroid.lat,
      images,
      imagesMissing,
      metresPerPixel,
    });
    const [x, y] = overview.toPicture(region.centroid.x, region.centroid.y);
    overviewMarks.push({ rank, path: outlinePath(overview, region.outlineGrid), x, y });
  }

  const aoi = run.params.aoi;
  return {
    projectName: services.project.summary().name,
    generatedAt: new Date().toISOString(),
    run: {
      id: run.id,
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
      modelName: run.modelName,
      modelVersion: run.modelVersion,
      modelRequested: run.modelRequested,
      modelReason: run.modelReason,
      provider: run.providerUsed ?? run.providerRequested,
      crsName: grid.crs.code ? `${grid.crs.name} (${grid.crs.code})` : 'pixel coordinates (no georeference)',
      widthPx: grid.width,
      heightPx: grid.height,
      pixelSizeM: groundPixel,
      aoi: !aoi
        ? 'the whole overlap of the two dates'
        : aoi.kind === 'bbox'
          ? 'a rectangle'
          : 'a drawn polygon',
      warnings: run.warnings,
    },
    imagery: { before: imagery.before, after: imagery.after },
    settings,
    regionCount: totals.n,
    mappedChangeM2: totals.area,
    areaUnit: pixelSpace && !userSize ? 'px' : 'm2',
    overview,
    overviewMarks,
    largest,
    accuracy: services.accuracy.state(runId),
    districts: districtTables(services, runId),
  };
}
