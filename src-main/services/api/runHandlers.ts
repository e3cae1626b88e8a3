// API handlers of the model, provider and run channels: thin mapping from the contract to the run service.
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import type { CrsInfo } from '../../core/raster/types';
import type { ModelInfo, ParsedRequest } from '../../ipc/contract';
import { converter, WGS84 } from '../imagery/crs';
import { listModels, readModelCard, type ModelEntry } from '../inference/modelCatalog';
import { addProjectModel } from '../inference/projectModels';
import { runProbabilityTile } from '../preview/previewTiles';
import type { RunService } from '../runs/RunService';
import type { AreaOfInterest } from '../runs/runTypes';
import { choicePixelSizeM, runModelChoice } from '../runs/runModelChoice';
import { runDetail, runSummary } from '../runs/runView';
import { consecutivePairs, RunBatch } from '../runs/runBatch';
import { runHistory } from '../runs/runHistory';
import type { DomainHandlers, HandlerContext } from './handlerTypes';

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
    gsdRangeM: card.gsdRangeM,
    detects: card.task === 'change-detection' ? (card.detects ?? null) : null,
    licence: card.training.licence,
    attribution: card.attribution ?? null,
  };
}

function requireRun(service: RunService, runId: number) {
  const run = service.getRun(runId);
  if (!run) throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  return run;
}

export function runHandlers(ctx: HandlerContext): DomainHandlers<'run:' | 'models:' | 'providers:'> {
  return {
    'models:list': () => listModels(ctx.services().modelDirs()).map((m) => modelInfo(m, ctx.modelsDir)),
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
      addProjectModel(project, cardPath);
      return modelInfo(entry, ctx.modelsDir);
    },
    'models:choose': async ({ model }) => {
      const state = await ctx.services().imagery.state();
      if (!state.before || !state.after) return null;
      // The analysis grid is the before date's (services/imagery/alignedPair.ts).
      const pixelSizeM = choicePixelSizeM(state.before.pixelSizeM);
      const choice = runModelChoice(model, ctx.services().modelDirs(), pixelSizeM);
      return {
        requested: model,
        id: choice.cardPath,
        name: choice.card.name,
        version: choice.card.version,
        reason: choice.reason,
        pixelSizeM,
        warnings: choice.warnings,
      };
    },
    'providers:list': async () =>
      (await ctx.services().runs.listProviders()).map(({ id, label, available }) => ({
        id,
        label,
        available,
      })),
    'run:start': async (request) => {
      const service = ctx.services().runs;
      return runSummary(requireRun(service, await startPairRun(ctx, request)));
    },
    'run:startBatch': async ({ pairs, ...options }) => {
      const services = ctx.services();
      const state = await services.imagery.state();
      const batchPairs = pairs ?? consecutivePairs(state.dates.map((d) => d.id));
      if (batchPairs.length === 0) {
        throw new ChangeMapError(
          'IMAGERY_MISSING',
          'A batch needs at least two dates; add another date of imagery first.',
        );
      }
      // Every pair is checked before the first run starts, so a bad third date does not surface an hour later.
      for (const pair of batchPairs) await services.imagery.pairInputs(pair.from, pair.to);
      const first = await startPairRun(ctx, { ...options, dates: batchPairs[0] });
      services.runBatch = new RunBatch(batchPairs, first, {
        start: (pair) => startPairRun(ctx, { ...options, dates: pair }),
        whenSettled: (id) => services.runs.whenSettled(id),
        stopped: (message) => ctx.events.emit('log:warning', { message }),
      });
      return { first: runSummary(requireRun(services.runs, first)), pairs: batchPairs };
    },
    'run:history': () => {
      const services = ctx.services();
      const runs = services.runs.listRuns().map((r) => requireRun(services.runs, r.id));
      return runHistory(services.project.db, runs, (id) => services.regions.settingsOf(id));
    },
    // The polygon clipper loads at the first comparison, not with every session.
    'run:compare': async ({ runA, runB }) =>
      (await import('../regions/compareRuns')).compareRuns(ctx.services().project.db, runA, runB),
    'run:cancel': async ({ runId }) => {
      const service = ctx.services().runs;
      await service.cancelRun(runId);
      return runSummary(requireRun(service, runId));
    },
    'run:resume': async ({ runId, ...scaleout }) => {
      const service = ctx.services().runs;
      await service.resumeRun(runId, scaleout);
      return runSummary(requireRun(service, runId));
    },
    'run:get': ({ runId }) =>
      runDetail(requireRun(ctx.services().runs, runId), ctx.services().regions.settingsOf(runId)),
    'run:list': () => {
      const service = ctx.services().runs;
      return service.listRuns().map((r) => runSummary(requireRun(service, r.id)));
    },
    'run:probabilityTile': ({ runId, z, x, y }) =>
      runProbabilityTile(ctx.services().preview, ctx.services().runs, runId, z, x, y),
  };
}

/**
 * Starts the run of two dates (the before and after date unless the request names two dates of the series),
 * checked as a run needs; resolves with the run id.
 */
async function startPairRun(
  ctx: HandlerContext,
  {
    model,
    provider,
    aoi,
    gridAoi,
    memoryBudgetMiB,
    regionSettings,
    findRegions,
    dates,
    ...sizes
  }: ParsedRequest<'run:start'>,
): Promise<number> {
  const imagery = ctx.services().imagery;
  const state = await imagery.state();
  let inputs: { before: string[]; after: string[] };
  let pair: { from: number; to: number };
  if (dates) {
    inputs = await imagery.pairInputs(dates.from, dates.to);
    pair = dates;
  } else {
    if (!state.before || !state.after) {
      throw new ChangeMapError(
        'IMAGERY_MISSING',
        'Add both the before and the after imagery before starting a run.',
      );
    }
    const blocking = state.preflight.find((i) => i.severity === 'error');
    if (blocking) throw new ChangeMapError(blocking.code, blocking.message);
    inputs = { before: imagery.uris('before'), after: imagery.uris('after') };
    pair = { from: imagery.dateIdOf('before')!, to: imagery.dateIdOf('after')! };
  }
  // The analysis grid is the earlier date's (services/imagery/alignedPair.ts).
  const grid = imagery.set(pair.from)!.metadata.grid;
  const service = ctx.services().runs;
  const id = await service.startRun({
    inputs: { kind: 'files', ...inputs },
    dates: pair,
    model,
    provider,
    ...sizes,
    memoryBudget: memoryBudgetMiB === undefined ? undefined : memoryBudgetMiB * 2 ** 20,
    aoi: gridAoi ? { kind: 'bbox', ...gridAoi } : aoi ? areaInGrid(aoi, grid.crs) : null,
  });
  ctx.services().regions.plan(id, findRegions ? (regionSettings ?? {}) : false);
  return id;
}

/** The contract's area (WGS 84) in the analysis grid's CRS. */
function areaInGrid(aoi: NonNullable<ParsedRequest<'run:start'>['aoi']>, crs: CrsInfo): AreaOfInterest {
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
