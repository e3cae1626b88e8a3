// API handlers of the model, provider and run channels: thin mapping from the contract to the run service.
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import type { CrsInfo } from '../../core/raster/types';
import type { ModelInfo, RegionSettings } from '../../ipc/contract';
import { converter, WGS84 } from '../imagery/crs';
import { listModels, readModelCard, type ModelEntry } from '../inference/modelCatalog';
import { runProbabilityTile } from '../preview/previewTiles';
import { openRunInputs } from '../runs/openRunInputs';
import type { RunEvent } from '../runs/runEvents';
import { RunService } from '../runs/RunService';
import type { AreaOfInterest } from '../runs/runTypes';
import type { DomainHandlers, HandlerContext } from './handlerTypes';
import { projectImagery } from './imageryHandlers';
import { runDetail, runSummary } from './runView';

const USER_MODELS_KEY = 'user_models';

/** Folders the catalogue reads: the shipped models, then the folders of models the user added to this project. */
export function modelDirs(ctx: HandlerContext): string[] {
  const added = ctx.requireProject().getSetting<string[]>(USER_MODELS_KEY) ?? [];
  return [ctx.modelsDir, ...new Set(added.map((card) => path.dirname(card)))];
}

function modelInfo(entry: ModelEntry, shippedDir: string): ModelInfo {
  const card = readModelCard(entry.cardPath);
  return {
    id: entry.cardPath,
    name: entry.name,
    version: entry.version,
    task: entry.task,
    description: entry.description,
    builtIn: path.dirname(entry.cardPath) === path.resolve(shippedDir),
    chipSize: card.task === 'change-detection' ? card.chipSize : card.inputSize,
    threshold: card.task === 'change-detection' ? card.threshold : null,
  };
}

export function runService(ctx: HandlerContext): RunService {
  return ctx.projectService('runs', (project) => {
    const service = new RunService({
      db: project.db,
      dataDir: project.dataDir,
      modelDirs: modelDirs(ctx),
      openPair: openRunInputs,
    });
    const unsubscribe = service.subscribe((event) => forward(ctx, service, event));
    return Object.assign(service, {
      dispose: async () => {
        unsubscribe();
        await service.close();
      },
    });
  });
}

function forward(ctx: HandlerContext, service: RunService, event: RunEvent): void {
  switch (event.type) {
    case 'run:started': {
      const run = service.getRun(event.runId);
      if (run) ctx.events.emit('run:started', runDetail(run));
      return;
    }
    case 'run:chunk':
      ctx.events.emit('run:chunk', { runId: event.runId, idx: event.idx, state: event.state });
      return;
    case 'run:progress': {
      const { type: _type, ...progress } = event;
      ctx.events.emit('run:progress', progress);
      return;
    }
    case 'run:done': {
      const run = service.getRun(event.runId);
      if (run) ctx.events.emit('run:done', runSummary(run));
      return;
    }
    case 'run:failed':
      ctx.events.emit('run:failed', { runId: event.runId, code: event.code, message: event.message });
      return;
    case 'run:cancelled':
      ctx.events.emit('run:cancelled', { runId: event.runId });
  }
}

function requireRun(service: RunService, runId: number) {
  const run = service.getRun(runId);
  if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  return run;
}

export function runHandlers(ctx: HandlerContext): DomainHandlers<'run:' | 'models:' | 'providers:'> {
  return {
    'models:list': () => listModels(modelDirs(ctx)).map((m) => modelInfo(m, ctx.modelsDir)),
    'models:add': ({ path: file }) => {
      const project = ctx.requireProject();
      const cardPath = file.endsWith('.card.json') ? file : file.replace(/\.onnx$/i, '') + '.card.json';
      readModelCard(cardPath); // refuses a missing or invalid card with a clear message
      const entry = listModels([path.dirname(cardPath)]).find(
        (m) => path.resolve(m.cardPath) === path.resolve(cardPath),
      );
      if (!entry)
        throw new ChangeMapError(
          'MODEL_CARD_INVALID',
          `${cardPath} does not describe a model ChangeMap can run.`,
        );
      const added = project.getSetting<string[]>(USER_MODELS_KEY) ?? [];
      project.setSetting(USER_MODELS_KEY, [...new Set([...added, path.resolve(cardPath)])]);
      return modelInfo(entry, ctx.modelsDir);
    },
    'providers:list': () =>
      runService(ctx)
        .listProviders()
        .map(({ id, label, available }) => ({ id, label, available })),
    'run:start': async ({ model, provider, aoi, chunkSize }) => {
      const imagery = projectImagery(ctx);
      const state = await imagery.state();
      if (!state.before || !state.after) {
        throw new ChangeMapError(
          'IMAGERY_MISSING',
          'Add both the before and the after imagery before starting a run.',
        );
      }
      const blocking = state.preflight.find((i) => i.severity === 'error');
      if (blocking) throw new ChangeMapError(blocking.code, blocking.message);
      const grid = imagery.set('before')!.metadata.grid;
      const service = runService(ctx);
      const id = await service.startRun({
        inputs: { kind: 'files', before: imagery.uris('before'), after: imagery.uris('after') },
        model,
        provider,
        chunkSize,
        aoi: aoi ? areaInGrid(aoi, grid.crs) : null,
      });
      return runSummary(requireRun(service, id));
    },
    'run:cancel': async ({ runId }) => {
      const service = runService(ctx);
      await service.cancelRun(runId);
      return runSummary(requireRun(service, runId));
    },
    'run:resume': async ({ runId }) => {
      const service = runService(ctx);
      await service.resumeRun(runId);
      return runSummary(requireRun(service, runId));
    },
    'run:get': ({ runId }) => runDetail(requireRun(runService(ctx), runId), savedRegionSettings(ctx, runId)),
    'run:list': () => {
      const service = runService(ctx);
      return service.listRuns().map((r) => runSummary(requireRun(service, r.id)));
    },
    'run:probabilityTile': ({ runId, z, x, y }) => runProbabilityTile(ctx, runService(ctx), runId, z, x, y),
  };
}

/** The contract's area (WGS 84) in the analysis grid's CRS. */
function areaInGrid(
  aoi:
    | { kind: 'bbox'; min: [number, number]; max: [number, number] }
    | { kind: 'polygon'; ring: [number, number][] },
  crs: CrsInfo,
): AreaOfInterest {
  if (!crs.code)
    throw new ChangeMapError('AOI_NEEDS_GEOREFERENCE', 'An area of interest needs georeferenced imagery.');
  const c = crs.code === 'EPSG:4326' ? null : converter(WGS84(), crs);
  const project = (p: [number, number]): [number, number] => (c ? (c.forward(p) as [number, number]) : p);
  if (aoi.kind === 'polygon') return { kind: 'polygon', rings: [aoi.ring.map(project)] };
  const corners = [aoi.min, [aoi.max[0], aoi.min[1]], aoi.max, [aoi.min[0], aoi.max[1]]].map((p) =>
    project(p as [number, number]),
  );
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return {
    kind: 'bbox',
    minX: Math.min(...xs),
    minY: Math.min(...ys),
    maxX: Math.max(...xs),
    maxY: Math.max(...ys),
  };
}

/** The settings a run's regions were last made with (cm_runs.region_settings), or null before any. */
function savedRegionSettings(ctx: HandlerContext, runId: number): RegionSettings | null {
  const row = ctx
    .requireProject()
    .db.prepare('SELECT region_settings FROM cm_runs WHERE id = ?')
    .get(runId) as { region_settings: string } | undefined;
  const saved = row ? (JSON.parse(row.region_settings) as Partial<RegionSettings>) : {};
  if (typeof saved.threshold !== 'number') return null;
  return {
    threshold: saved.threshold,
    openingRadius: saved.openingRadius ?? 0,
    closingRadius: saved.closingRadius ?? 0,
    minAreaM2: saved.minAreaM2 ?? 0,
  };
}
