// The open project's change regions: computed from a finished run's probability raster, classified with the
// shipped land-cover model, listed, reviewed and spot-checked. Keeps the readers a run's regions need open.
import { ChangeMapError } from '../../core/errors';
import type { AlignedPairSource } from '../../core/raster/types';
import type { RegionSettings, Results } from '../../ipc/contract';
import { openGeoTiff } from '../imagery/geotiffSource';
import { userPixelSizeM } from '../imagery/ProjectImagery';
import { listModels } from '../inference/modelCatalog';
import type { LandCoverClassifier } from '../inference/onnxModel';
import type { CalibrationCache } from '../inference/threadCalibration';
import type { ProjectStore } from '../project/projectStore';
import { openRunInputs } from '../runs/openRunInputs';
import type { RunService } from '../runs/RunService';
import type { RunRecord } from '../runs/runTypes';
import { classifierFrom, classifyRegions } from './classifyRegions';
import { computeRegions } from './computeRegions';
import { probabilityReaderFromRaster, type ProbabilityRasterReader } from './probabilityReader';
import { regionSettingsForRun } from './regionSettings';
import { SpotCheckCache, spotCheckImages, type SpotCheckOptions } from './spotCheck';

/** Where the region service reports what it did (the session's events). */
export interface RegionEvents {
  changed(runId: number, regionCount: number): void;
  /** The regions a finished run starts could not be found. */
  failed?(runId: number, code: string, message: string): void;
  warning(message: string): void;
}

export type RegionsComputed = Results['regions:compute'];

const isLandCoverModel = (entry: { task: string }): boolean => entry.task === 'land-cover-classification';

interface RunReaders {
  probability: ProbabilityRasterReader;
  closeProbability: () => Promise<void>;
  pair: AlignedPairSource | null;
}

export class ProjectRegions {
  private readonly readers = new Map<number, RunReaders>();
  private readonly spotChecks = new SpotCheckCache();
  private classifier: Promise<LandCoverClassifier> | null = null;
  /** What run:start asked for the regions found when a run finishes: settings to use, or false for none. */
  private readonly planned = new Map<number, Partial<RegionSettings> | false>();
  /** Regions being found because a run finished, by run. */
  private readonly automatic = new Map<number, Promise<RegionsComputed | null>>();

  constructor(
    private readonly project: ProjectStore,
    private readonly runs: RunService,
    private readonly modelDirs: () => string[],
    private readonly events: RegionEvents = { changed: () => undefined, warning: () => undefined },
    /** Where the classifier's per-machine file measurement is kept (user data); without it, measured per load. */
    private readonly calibration?: CalibrationCache,
  ) {}

  /** The run's region settings by the one rule (services/regions/regionSettings.ts). */
  settingsOf(runId: number, requested: Partial<RegionSettings> = {}): RegionSettings {
    return regionSettingsForRun(this.project.db, runId, requested);
  }

  /** Settings for the regions found when the run finishes (false: find none this time). */
  plan(runId: number, settings: Partial<RegionSettings> | false): void {
    this.planned.set(runId, settings);
  }

  /**
   * Finds and classifies a finished run's regions with its settings (planned, else the one rule), in the
   * background; a failure is reported as a warning, and the run stays done.
   */
  afterRun(runId: number): void {
    const planned = this.planned.get(runId) ?? {};
    this.planned.delete(runId);
    if (planned === false || this.project.readOnly) return;
    const job = this.compute(runId, planned).catch((error: unknown) => {
      const message = (error as Error).message;
      this.events.warning(`Finding the regions of run ${runId} failed: ${message}`);
      this.events.failed?.(runId, (error as { code?: string }).code ?? 'INTERNAL', message);
      return null;
    });
    this.track(runId, job);
  }

  /** Keeps a run's background region work findable (whenAutomaticDone) until it settles. */
  private track(runId: number, job: Promise<RegionsComputed | null>): void {
    this.automatic.set(runId, job);
    void job.finally(() => {
      if (this.automatic.get(runId) === job) this.automatic.delete(runId);
    });
  }

  /**
   * Labels, in the background, the regions a kill left without land cover: found and stored, then stopped before
   * the classifier was through (the regions are written first, their labels after). Runs as a finished run's regions
   * do, tracked by whenAutomaticDone, and announced with regions:changed. Returns the runs it labels.
   */
  finishInterruptedLabelling(): number[] {
    if (this.project.readOnly || !listModels(this.modelDirs()).some(isLandCoverModel)) return [];
    const runIds = this.project.db
      .prepare(`SELECT DISTINCT run_id FROM change_regions WHERE from_class IS NULL ORDER BY run_id`)
      .pluck()
      .all() as number[];
    const started = runIds.filter((runId) => !this.automatic.has(runId));
    for (const runId of started) {
      const job = this.labelUnlabelled(runId).catch((error: unknown) => {
        this.events.warning(`Labelling the regions of run ${runId} failed: ${(error as Error).message}`);
        return null;
      });
      this.track(runId, job);
    }
    return started;
  }

  private async labelUnlabelled(runId: number): Promise<RegionsComputed | null> {
    const started = performance.now();
    const run = this.finishedRun(runId);
    const pair = await this.pairOf(run);
    const classifier = this.landCoverClassifier();
    if (!classifier) return null;
    try {
      await classifyRegions(this.project.db, runId, pair, classifierFrom(await classifier));
    } catch (error) {
      // Imagery the classifier cannot read (too few bands) was left unlabelled on purpose when the run finished.
      if ((error as { code?: string }).code === 'REGIONS_CLASSIFIER_BANDS') return null;
      throw error;
    }
    const regionCount = this.project.db
      .prepare('SELECT count(*) FROM change_regions WHERE run_id = ?')
      .pluck()
      .get(runId) as number;
    this.events.changed(runId, regionCount);
    return {
      runId,
      regionCount,
      settings: this.settingsOf(runId),
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** The regions being found because the run finished, if they are (null when that failed). */
  whenAutomaticDone(runId: number): Promise<RegionsComputed | null> | undefined {
    return this.automatic.get(runId);
  }

  private finishedRun(runId: number): RunRecord {
    const run = this.runs.getRun(runId);
    if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
    if (run.status !== 'done' || !run.probabilityPath) {
      throw new ChangeMapError(
        'RUN_NOT_FINISHED',
        `Run ${runId} has not finished yet; regions come from a finished run.`,
      );
    }
    return run;
  }

  private async readersOf(run: RunRecord): Promise<RunReaders> {
    let readers = this.readers.get(run.id);
    if (!readers) {
      const raster = await openGeoTiff(run.probabilityPath!);
      const probability = probabilityReaderFromRaster(raster);
      readers = {
        // A GeoTIFF cannot say where a part of an image without georeference lies in the whole image: the run's
        // grid (an area of interest's offset included) does.
        probability:
          run.params.grid.crs.code === null ? { ...probability, grid: run.params.grid } : probability,
        closeProbability: () => raster.close(),
        pair: null,
      };
      this.readers.set(run.id, readers);
    }
    return readers;
  }

  private async pairOf(run: RunRecord): Promise<AlignedPairSource> {
    const readers = await this.readersOf(run);
    readers.pair ??= await openRunInputs(run.params.inputs, { bands: ['red', 'green', 'blue'] });
    return readers.pair;
  }

  private landCoverClassifier(): Promise<LandCoverClassifier> | null {
    if (!this.classifier) {
      const entry = listModels(this.modelDirs()).find(isLandCoverModel);
      if (!entry) return null;
      // ONNX Runtime loads here, on the first classification, not with the project's services. Full precision,
      // or a variant that keeps accuracy and measures faster here (classifierVariants.ts).
      this.classifier = import('../inference/classifierVariants').then(({ loadMeasuredClassifier }) =>
        loadMeasuredClassifier(entry.cardPath, { provider: 'auto', calibration: this.calibration }),
      );
      this.classifier.catch(() => (this.classifier = null));
    }
    return this.classifier;
  }

  /** Finds and classifies a run's regions; settings left out come from the one rule. Emits regions:changed. */
  async compute(runId: number, settings: Partial<RegionSettings>): Promise<RegionsComputed> {
    const started = performance.now();
    const run = this.finishedRun(runId);
    const readers = await this.readersOf(run);
    const full = this.settingsOf(runId, settings);
    const summary = await computeRegions(this.project.db, runId, readers.probability, {
      ...full,
      pixelSizeM: userPixelSizeM(this.project),
    });
    // No cache to clear: recomputed regions get new fids (AUTOINCREMENT never reuses one).
    const classifier = this.landCoverClassifier();
    if (!classifier)
      this.events.warning('No land-cover model is installed, so regions have no before and after classes.');
    else {
      const pair = await this.pairOf(run);
      await classifyRegions(this.project.db, runId, pair, classifierFrom(await classifier));
    }
    this.events.changed(runId, summary.regionCount);
    return {
      runId,
      regionCount: summary.regionCount,
      settings: full,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** `stretch`: each date's colour stretch as the map draws it (see SpotCheckOptions.stretch). */
  async spotCheck(fid: number, regionRunId: number, stretch?: SpotCheckOptions['stretch']) {
    const run = this.finishedRun(regionRunId);
    const readers = await this.readersOf(run);
    const pair = await this.pairOf(run);
    return spotCheckImages(this.project.db, fid, pair, readers.probability, {
      cache: this.spotChecks,
      stretch,
    });
  }

  /** A finished run's probability raster, kept open with the regions' readers (the accuracy sample reads it). */
  async probabilityOf(runId: number): Promise<ProbabilityRasterReader> {
    return (await this.readersOf(this.finishedRun(runId))).probability;
  }

  /** A finished run's aligned imagery pair and probability raster (spot checks of sample points). */
  async rastersOf(runId: number): Promise<{ pair: AlignedPairSource; probability: ProbabilityRasterReader }> {
    const run = this.finishedRun(runId);
    return { pair: await this.pairOf(run), probability: (await this.readersOf(run)).probability };
  }

  async dispose(): Promise<void> {
    for (const readers of this.readers.values()) {
      await readers.closeProbability();
      await readers.pair?.close();
    }
    this.readers.clear();
    const classifier = this.classifier;
    this.classifier = null;
    await (await classifier?.catch(() => null))?.dispose();
  }
}
