// The open project's accuracy assessment: draws a run's stratified random sample, keeps the planner's reference
// labels, and turns them into the figures of Olofsson et al. (2014) (core/accuracy). Reads the run's rasters
// through the regions service, which keeps them open.
import {
  DEFAULT_SAMPLE_DESIGN,
  assessChangeMap,
  domainChangedArea,
  type ReferenceLabel,
  type SampleDesign,
} from '../../core/accuracy/changeAccuracy';
import { ChangeMapError, isChangeMapError } from '../../core/errors';
import type { AccuracyByFeature, AccuracyState, DrawSampleRequest } from '../../ipc/contract';
import { pointsInFeatures } from './pointsInFeatures';
import { userPixelSizeM } from '../imagery/ProjectImagery';
import { gridToMapFn } from '../imagery/crs';
import type { ProjectStore } from '../project/projectStore';
import type { ProjectRegions } from '../regions/ProjectRegions';
import { pointSpotCheckImages, type SpotCheckOptions } from '../regions/spotCheck';
import {
  getPoint,
  getSample,
  labelPoint,
  latestSample,
  samplePoints,
  saveSample,
  type StoredSample,
} from './accuracyRecords';
import { drawSample } from './drawSample';
import { exportSample, type SampleExportFormat } from './exportSample';

export class ProjectAccuracy {
  constructor(
    private readonly project: ProjectStore,
    private readonly regions: ProjectRegions,
  ) {}

  private get db() {
    return this.project.db;
  }

  /** Ground m² per pixel: the run's regions' own (projection-corrected) ratio, or the user's pixel size. */
  private m2PerPixel(runId: number, pixelSpace: boolean): number | null {
    if (pixelSpace) {
      const size = userPixelSizeM(this.project);
      return size ? size * size : null;
    }
    const row = this.db
      .prepare('SELECT SUM(area_m2) AS area, SUM(pixel_count) AS pixels FROM change_regions WHERE run_id = ?')
      .get(runId) as { area: number | null; pixels: number | null };
    return row.area && row.pixels ? row.area / row.pixels : null;
  }

  /** Draws a new sample of the run (its newest; older samples stay saved) and returns it. */
  async draw(request: DrawSampleRequest): Promise<AccuracyState> {
    if (this.project.readOnly)
      throw new ChangeMapError(
        'PROJECT_READ_ONLY',
        'This project is open read-only, so no sample can be saved.',
      );
    const probability = await this.regions.probabilityOf(request.runId);
    const design: SampleDesign = {
      targetStandardError: request.targetStandardError ?? DEFAULT_SAMPLE_DESIGN.targetStandardError,
      expectedUsersAccuracy: {
        changed: request.expectedChangedAccuracy ?? DEFAULT_SAMPLE_DESIGN.expectedUsersAccuracy.changed,
        unchanged: request.expectedUnchangedAccuracy ?? DEFAULT_SAMPLE_DESIGN.expectedUsersAccuracy.unchanged,
      },
      minimumPerStratum: request.minimumPerStratum ?? DEFAULT_SAMPLE_DESIGN.minimumPerStratum,
    };
    const seed = request.seed ?? Math.floor(Math.random() * 2 ** 31);
    const drawn = await drawSample(this.db, request.runId, probability, {
      ...design,
      seed,
      points: request.points,
    });
    const pixelSpace = probability.grid.crs.code === null;
    saveSample(
      this.db,
      request.runId,
      drawn,
      design,
      this.m2PerPixel(request.runId, pixelSpace),
      gridToMapFn(probability.grid.crs),
    );
    return this.state(request.runId)!;
  }

  /** The run's newest sample with its points and figures, or null when it has none. */
  state(runId: number): AccuracyState | null {
    const sample = latestSample(this.db, runId);
    return sample ? this.stateOf(sample) : null;
  }

  private stateOf(sample: StoredSample): AccuracyState {
    const points = samplePoints(this.db, sample.id);
    const labelled = points.filter((p) => p.label !== null).length;
    let figures: AccuracyState['figures'] = null;
    let missing: string | null = null;
    try {
      const { assessment: _full, ...rest } = assessChangeMap(points, sample.strataPixels, sample.m2PerPixel);
      figures = rest;
    } catch (error) {
      if (!isChangeMapError(error)) throw error;
      missing = error.message;
    }
    const allocation = { changed: 0, unchanged: 0 };
    for (const p of points) allocation[p.stratum]++;
    return {
      sample: {
        id: sample.id,
        runId: sample.runId,
        createdAt: sample.createdAt,
        seed: sample.seed,
        design: sample.design,
        strataPixels: sample.strataPixels,
        m2PerPixel: sample.m2PerPixel,
        allocation,
      },
      points: points.map((p) => ({
        id: p.id,
        idx: p.idx,
        stratum: p.stratum,
        lon: p.lon,
        lat: p.lat,
        label: p.label,
      })),
      labelled,
      figures,
      missing,
    };
  }

  /** Sets or clears a point's reference label; returns the sample's state with the new figures. */
  label(pointId: number, label: ReferenceLabel | null): AccuracyState {
    if (this.project.readOnly)
      throw new ChangeMapError(
        'PROJECT_READ_ONLY',
        'This project is open read-only, so labels cannot be saved.',
      );
    const point = getPoint(this.db, pointId);
    labelPoint(this.db, pointId, label);
    return this.stateOf(getSample(this.db, point.sampleId));
  }

  /** Before / change / after around a sample point, framed. */
  async spotCheck(
    pointId: number,
    mapStretchOf?: (runId: number) => Promise<SpotCheckOptions['stretch'] | undefined>,
  ) {
    const point = getPoint(this.db, pointId);
    const sample = getSample(this.db, point.sampleId);
    const { pair, probability } = await this.regions.rastersOf(sample.runId);
    const threshold = this.regions.settingsOf(sample.runId).threshold;
    const stretch = await mapStretchOf?.(sample.runId);
    return pointSpotCheckImages(pair, probability, point, threshold, 256, stretch);
  }

  async export(request: { sampleId: number; format: SampleExportFormat; out: string; overwrite: boolean }) {
    const sample = getSample(this.db, request.sampleId);
    const probability = await this.regions.probabilityOf(sample.runId);
    return exportSample(sample, samplePoints(this.db, sample.id), {
      ...request,
      pixelSpace: probability.grid.crs.code === null,
    });
  }

  /**
   * The error-adjusted changed area inside each feature of a boundary layer that holds sample points (the
   * stratified estimator of a domain total, core/accuracy domainChangedArea), for the run's newest sample.
   */
  byFeature(runId: number, layerId: number): AccuracyByFeature[] {
    const sample = latestSample(this.db, runId);
    if (!sample) return [];
    const points = samplePoints(this.db, sample.id);
    const membership = pointsInFeatures(this.db, layerId, points);
    return membership.map(({ fid, label, inside }) => {
      const domain = domainChangedArea(
        points.map((p, i) => ({ ...p, inDomain: inside.has(i) })),
        sample.strataPixels,
        sample.m2PerPixel,
      );
      return {
        fid,
        label,
        points: inside.size,
        labelled: domain.labelledInDomain,
        adjustedChange: domain.estimate,
        unit: sample.m2PerPixel ? ('m2' as const) : ('px' as const),
        missing: 'reason' in domain ? domain.reason : null,
      };
    });
  }
}
