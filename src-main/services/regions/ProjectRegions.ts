// The open project's change regions: computed from a finished run's probability raster, classified with the
// shipped land-cover model, listed, reviewed and spot-checked. Keeps the readers a run's regions need open.
import { ChangeMapError } from '../../core/errors';
import type { AlignedPairSource } from '../../core/raster/types';
import type { RegionSettings } from '../../ipc/contract';
import { openGeoTiff } from '../imagery/geotiffSource';
import { listModels, readModelCard } from '../inference/modelCatalog';
import { LandCoverClassifier } from '../inference/onnxModel';
import type { ProjectStore } from '../project/projectStore';
import { openRunInputs } from '../runs/openRunInputs';
import type { RunService } from '../runs/RunService';
import type { RunRecord } from '../runs/runTypes';
import { classifierFrom, classifyRegions } from './classifyRegions';
import { computeRegions } from './computeRegions';
import { probabilityReaderFromRaster, type ProbabilityRasterReader } from './probabilityReader';
import { SpotCheckCache, spotCheckImages } from './spotCheck';

interface RunReaders {
  probability: ProbabilityRasterReader;
  closeProbability: () => Promise<void>;
  pair: AlignedPairSource | null;
}

export class ProjectRegions {
  private readonly readers = new Map<number, RunReaders>();
  private readonly spotChecks = new SpotCheckCache();
  private classifier: Promise<LandCoverClassifier> | null = null;

  constructor(
    private readonly project: ProjectStore,
    private readonly runs: RunService,
    private readonly modelDirs: () => string[],
  ) {}

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
      readers = {
        probability: probabilityReaderFromRaster(raster),
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

  /** The default threshold: the change model's own, from its card. */
  defaultThreshold(run: RunRecord): number {
    try {
      const card = readModelCard(run.params.modelCardPath);
      return card.task === 'change-detection' ? card.threshold : 0.5;
    } catch {
      return 0.5;
    }
  }

  private landCoverClassifier(): Promise<LandCoverClassifier> | null {
    if (!this.classifier) {
      const entry = listModels(this.modelDirs()).find((m) => m.task === 'land-cover-classification');
      if (!entry) return null;
      this.classifier = LandCoverClassifier.load(entry.cardPath, { provider: 'auto' });
      this.classifier.catch(() => (this.classifier = null));
    }
    return this.classifier;
  }

  async compute(
    runId: number,
    settings: Partial<RegionSettings>,
  ): Promise<{
    runId: number;
    regionCount: number;
    settings: RegionSettings;
    seconds: number;
    warnings: string[];
  }> {
    const started = performance.now();
    const run = this.finishedRun(runId);
    const readers = await this.readersOf(run);
    const full: RegionSettings = {
      threshold: settings.threshold ?? this.defaultThreshold(run),
      openingRadius: settings.openingRadius ?? 0,
      closingRadius: settings.closingRadius ?? 0,
      minAreaM2: settings.minAreaM2 ?? 0,
    };
    const summary = await computeRegions(this.project.db, runId, readers.probability, full);
    // No cache to clear: recomputed regions get new fids (AUTOINCREMENT never reuses one).
    const warnings: string[] = [];
    const classifier = this.landCoverClassifier();
    if (!classifier)
      warnings.push('No land-cover model is installed, so regions have no before and after classes.');
    else {
      const pair = await this.pairOf(run);
      await classifyRegions(this.project.db, runId, pair, classifierFrom(await classifier));
    }
    return {
      runId,
      regionCount: summary.regionCount,
      settings: full,
      seconds: (performance.now() - started) / 1000,
      warnings,
    };
  }

  async spotCheck(fid: number, regionRunId: number) {
    const run = this.finishedRun(regionRunId);
    const readers = await this.readersOf(run);
    const pair = await this.pairOf(run);
    return spotCheckImages(this.project.db, fid, pair, readers.probability, { cache: this.spotChecks });
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
