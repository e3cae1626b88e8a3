// The one registry of an open project's services: imagery, runs, regions, map preview and boundary layers, each made on first use
// and disposed together when the project closes. API handlers reach a project's state only through it; the domain
// folders know nothing of it (or of api/), so wiring stays here and imports point one way.
import path from 'node:path';
import { ProjectBoundaries } from './boundaries/ProjectBoundaries';
import { ProjectAccuracy } from './accuracy/ProjectAccuracy';
import { ProjectBasemaps } from './basemaps/ProjectBasemaps';
import type { EventBus } from './events';
import { ProjectImagery } from './imagery/ProjectImagery';
import { projectModelDirs } from './inference/projectModels';
import { CALIBRATION_FILE, CalibrationCache } from './inference/threadCalibration';
import { PreviewService } from './preview/PreviewService';
import type { ProjectStore } from './project/projectStore';
import { ProjectRegions } from './regions/ProjectRegions';
import { openRunInputs } from './runs/openRunInputs';
import { openRunInputsInThread } from './runs/pairReadThread';
import type { RunEvent } from './runs/runEvents';
import type { RunBatch } from './runs/runBatch';
import { RunService } from './runs/RunService';
import { runDetail, runSummary } from './runs/runView';

export interface ProjectServicesDeps {
  events: EventBus;
  /** Folder of the shipped models. */
  modelsDir: string;
  /** The user's data folder: runs keep the inference threads measured for this machine there. */
  userDataDir?: string;
}

export class ProjectServices {
  private imageryService: ProjectImagery | null = null;
  private runService: RunService | null = null;
  private regionsService: ProjectRegions | null = null;
  private previewService: PreviewService | null = null;
  private boundariesService: ProjectBoundaries | null = null;
  /** The batch of runs over pairs of dates started last (run:startBatch), if any. */
  runBatch: RunBatch | null = null;
  private accuracyService: ProjectAccuracy | null = null;
  private basemapsService: ProjectBasemaps | null = null;
  /** How to close what was made, in the order it was made. */
  private readonly closers: { name: string; close: () => unknown }[] = [];

  constructor(
    readonly project: ProjectStore,
    private readonly deps: ProjectServicesDeps,
  ) {}

  /** Folders of the models this project can use (shipped first, then the ones the user added). */
  modelDirs(): string[] {
    return projectModelDirs(this.project, this.deps.modelsDir);
  }

  get imagery(): ProjectImagery {
    if (!this.imageryService) {
      const service = new ProjectImagery(this.project);
      this.closers.push({ name: 'imagery', close: () => service.dispose() });
      this.imageryService = service;
    }
    return this.imageryService;
  }

  get runs(): RunService {
    if (!this.runService) {
      const service = new RunService({
        db: this.project.db,
        dataDir: this.project.dataDir,
        modelDirs: this.modelDirs(),
        openPair: openRunInputs,
        openPairOnThread: openRunInputsInThread,
        calibration: this.deps.userDataDir
          ? new CalibrationCache(path.join(this.deps.userDataDir, CALIBRATION_FILE))
          : undefined,
      });
      const unsubscribe = service.subscribe((event) => this.forwardRunEvent(service, event));
      this.closers.push({
        name: 'runs',
        close: () => {
          unsubscribe();
          return service.close();
        },
      });
      this.runService = service;
    }
    return this.runService;
  }

  /** The project's own basemaps (nothing to close: each tile is one fetch). */
  get basemaps(): ProjectBasemaps {
    this.basemapsService ??= new ProjectBasemaps(this.project);
    return this.basemapsService;
  }

  get regions(): ProjectRegions {
    if (!this.regionsService) {
      const events = this.deps.events;
      const service = new ProjectRegions(
        this.project,
        this.runs,
        () => this.modelDirs(),
        {
          changed: (runId, regionCount) => events.emit('regions:changed', { runId, regionCount }),
          warning: (message) => events.emit('log:warning', { message }),
          failed: (runId, code, message) => events.emit('regions:failed', { runId, code, message }),
        },
        this.deps.userDataDir
          ? new CalibrationCache(path.join(this.deps.userDataDir, CALIBRATION_FILE))
          : undefined,
      );
      this.closers.push({ name: 'regions', close: () => service.dispose() });
      this.regionsService = service;
    }
    return this.regionsService;
  }

  /** Accuracy samples and their labels; reads the run's rasters through the regions service. */
  get accuracy(): ProjectAccuracy {
    this.accuracyService ??= new ProjectAccuracy(this.project, this.regions);
    return this.accuracyService;
  }

  get preview(): PreviewService {
    if (!this.previewService) {
      const events = this.deps.events;
      const service = new PreviewService({
        dataDir: this.project.dataDir,
        onProgress: (progress) => events.emit('imagery:previewProgress', progress),
        onWarning: (message) => events.emit('log:warning', { message }),
      });
      this.closers.push({ name: 'preview', close: () => service.dispose() });
      this.previewService = service;
    }
    return this.previewService;
  }

  get boundaries(): ProjectBoundaries {
    if (!this.boundariesService) {
      const events = this.deps.events;
      const service = new ProjectBoundaries(this.project, {
        changed: (layers) => events.emit('boundaries:changed', { layers }),
        progress: (layerId, runId, fraction) =>
          events.emit('boundaries:joinProgress', { layerId, runId, fraction }),
      });
      this.closers.push({ name: 'boundaries', close: () => service.dispose() });
      this.boundariesService = service;
    }
    return this.boundariesService;
  }

  /** Closes every service made so far; a failure is reported as a warning and does not stop the others. */
  async dispose(): Promise<void> {
    const closers = this.closers.splice(0);
    await Promise.all(
      closers.map(({ name, close }) =>
        Promise.resolve()
          .then(close)
          .catch((error: unknown) =>
            this.deps.events.emit('log:warning', {
              message: `Closing ${name} failed: ${(error as Error).message}`,
            }),
          ),
      ),
    );
  }

  /** The run service's events as the API announces them; a finished run goes on to find its regions. */
  private forwardRunEvent(service: RunService, event: RunEvent): void {
    const events = this.deps.events;
    switch (event.type) {
      case 'run:started': {
        const run = service.getRun(event.runId);
        if (run) events.emit('run:started', runDetail(run, this.regions.settingsOf(run.id)));
        return;
      }
      case 'run:chunk':
        events.emit('run:chunk', {
          runId: event.runId,
          idx: event.idx,
          state: event.state,
          ...(event.worker ? { worker: event.worker } : {}),
        });
        return;
      case 'run:progress': {
        const { type: _type, ...progress } = event;
        events.emit('run:progress', progress);
        return;
      }
      case 'run:done': {
        const run = service.getRun(event.runId);
        if (run) events.emit('run:done', runSummary(run));
        // Synchronously, so whoever waits on the run (RunService.whenSettled) finds its regions under way.
        this.regions.afterRun(event.runId);
        return;
      }
      case 'run:failed':
        events.emit('run:failed', { runId: event.runId, code: event.code, message: event.message });
        return;
      case 'run:cancelled':
        events.emit('run:cancelled', { runId: event.runId });
    }
  }
}
