// `changemap run` and `changemap resume`: change detection from the command line through the app's own API (the
// imagery is stored in the project like the app stores it, and regions are found when the run finishes), with a
// progress bar on a terminal or one JSON event per line (--json) for scripts. Exit codes: see EXIT.
import path from 'node:path';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import type { RegionSettings, Request } from '../ipc/contract';
import { InferenceWorker } from '../services/inference/inferenceWorker';
import type { RegionsComputed } from '../services/regions/ProjectRegions';
import type { RunEvent } from '../services/runs/runEvents';
import { writeSyntheticPairFiles } from '../services/runs/syntheticPairFiles';
import { cliSession, discardCreated, mapViewOn, openOrCreate, type CliSession } from './cliSession';
import { EXIT } from './exitCodes';
import { progressLine } from './progressBar';
import { describeRegions } from './regionsCommand';

export interface RunOptions {
  project: string;
  before?: string[];
  after?: string[];
  /** STAC item addresses whose images are the before / after imagery (by reference, with their provenance). */
  beforeItems?: string[];
  afterItems?: string[];
  /** With items: stack these bands (STAC common names) from each item's per-band assets. */
  bands?: string[];
  /** A series of dates, oldest first (one file, .vrt or URL each): each date is compared with the next. */
  dates?: string[];
  /** Dates already in the project, by id, oldest first: each compared with the next. */
  dateIds?: number[];
  /** With `dates`: each date's acquisition date. */
  acquired?: string[];
  synthetic?: { width: number; height: number };
  seed?: number;
  aoi?: { minX: number; minY: number; maxX: number; maxY: number };
  /** Left out: the contract's default model. */
  model?: string;
  provider: Request<'run:start'>['provider'];
  chunkSize?: number;
  chip?: number;
  overlap?: number;
  batch?: number;
  threads?: number;
  sessions?: number;
  memoryBudget?: number;
  regions: boolean;
  settings: Partial<RegionSettings>;
  /** Acquisition dates (YYYY-MM-DD) where the files carry none, or carry a wrong one. */
  beforeDate?: string;
  afterDate?: string;
  /** Ground size of a pixel (m) of imagery without georeference. */
  pixelSize?: number;
  /** A job engine (redis://): the chunks are computed by `changemap worker` processes. */
  engine?: string;
  /** With an engine: the S3-compatible store (s3://bucket/prefix) the workers hand their chunks over through. */
  output?: string;
  s3Endpoint?: string;
  json: boolean;
}

export interface ResumeOptions {
  project: string;
  run?: number;
  engine?: string;
  output?: string;
  s3Endpoint?: string;
  json: boolean;
}

/** A local path made absolute; an http(s) URL (a Cloud-Optimized GeoTIFF) read as it is, like the app does. */
export function imageryUri(uri: string): string {
  return /^https?:\/\//i.test(uri) ? uri : path.resolve(uri);
}

interface Output {
  event(e: RunEvent): void;
  line(type: string, value: Record<string, unknown>, text: string): void;
  end(): void;
}

function output(json: boolean): Output {
  if (json)
    return {
      event: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
      line: (type, value) => process.stdout.write(`${JSON.stringify({ type, ...value })}\n`),
      end: () => undefined,
    };
  const tty = process.stderr.isTTY;
  let drawn = false;
  const newline = () => {
    if (drawn) process.stderr.write('\n');
    drawn = false;
  };
  // Warnings found while the run ran (its nodata count) come with run:done; each is printed once.
  const warned = new Set<string>();
  const warn = (w: string) => {
    if (!warned.has(w)) process.stderr.write(`warning: ${w}\n`);
    warned.add(w);
  };
  return {
    event(e) {
      if (e.type === 'run:progress') {
        if (tty) {
          process.stderr.write(`\r${progressLine(e)}\x1b[K`);
          drawn = true;
        }
        return;
      }
      newline();
      if (e.type === 'run:started') {
        const left = e.chunks.filter((c) => c.state !== 'done').length;
        process.stderr.write(
          `Run ${e.runId}: ${e.grid.width} x ${e.grid.height} px, ${e.chunks.length} chunks (${left} to do), provider ${e.providerUsed}${e.resumed ? ', resumed' : ''}\n`,
        );
        for (const w of e.warnings) warn(w);
      } else if (e.type === 'run:done') {
        for (const w of e.warnings) warn(w);
        process.stderr.write(`Done in ${e.seconds.toFixed(1)} s.\n`);
        process.stdout.write(`${e.probabilityPath}\n`);
      } else if (e.type === 'run:failed')
        process.stderr.write(`Run ${e.runId} failed: ${e.message} [${e.code}]\n`);
      else if (e.type === 'run:cancelled')
        process.stderr.write(
          `Run ${e.runId} cancelled; continue it with: changemap resume --project ... --run ${e.runId}\n`,
        );
    },
    line(_type, _value, text) {
      newline();
      process.stderr.write(`${text}\n`);
    },
    end: newline,
  };
}

function refusal(error: unknown, json: boolean): number {
  const code = isChangeMapError(error) ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${JSON.stringify({ type: 'run:refused', code, message })}\n`);
  else process.stderr.write(`changemap: ${message} [${code}]\n`);
  return EXIT.refused;
}

/** One date's imagery: files or URLs, or STAC items (read here, then used as the "Find imagery" panel uses them). */
async function setDate(
  cli: CliSession,
  role: 'before' | 'after',
  uris: string[],
  items: string[] | undefined,
  bands?: string[],
) {
  if (!items?.length) return cli.call('imagery:setFiles', { role, uris });
  // Loaded only here: the catalogue client (undici) costs every other run's start nothing.
  const { readStacItem } = await import('../services/stac/stacItem');
  const scenes = [];
  for (const url of items) scenes.push(await readStacItem(url));
  return cli.call('stac:useScenes', {
    role,
    catalogue: null,
    ...(bands ? { bands } : {}),
    scenes,
  });
}

/** Sets the imagery of both dates as the app's imagery panel does (the project keeps the files and their roles). */
async function setImagery(cli: CliSession, options: RunOptions): Promise<void> {
  let before = options.before?.map(imageryUri) ?? [];
  let after = options.after?.map(imageryUri) ?? [];
  if (options.synthetic) {
    const dataDir = cli.session.requireProject().dataDir;
    const files = await writeSyntheticPairFiles(path.join(dataDir, 'synthetic'), {
      ...options.synthetic,
      seed: options.seed ?? 1,
    });
    before = [files.before];
    after = [files.after];
  }
  await setDate(cli, 'before', before, options.beforeItems, options.bands);
  const imagery = await setDate(cli, 'after', after, options.afterItems, options.bands);
  // What the imagery panel lets a user say that the files do not: when each date was taken, the pixel size.
  if (options.beforeDate)
    await cli.call('imagery:setAcquiredAt', { role: 'before', date: options.beforeDate });
  if (options.afterDate) await cli.call('imagery:setAcquiredAt', { role: 'after', date: options.afterDate });
  if (options.pixelSize !== undefined) await cli.call('imagery:setPixelSize', { sizeM: options.pixelSize });
  // The app opens the project on its imagery, as it does after adding imagery itself.
  const view = mapViewOn(imagery);
  if (view) await cli.call('project:setMapView', view);
}

/**
 * The ids of a series given on the command line: a date the project already holds with the same file is reused
 * (its runs stay comparable), any other is added after the last date, with its acquisition date where given.
 */
async function seriesDateIds(cli: CliSession, options: RunOptions): Promise<number[]> {
  if (options.dateIds) return options.dateIds;
  const ids: number[] = [];
  let state = await cli.call('imagery:get', {});
  for (const [i, given] of (options.dates ?? []).entries()) {
    const uri = imageryUri(given);
    const acquiredAt = options.acquired?.[i] ?? null;
    const known = state.dates.find((d) => d.uris.length === 1 && d.uris[0] === uri);
    if (known) {
      if (acquiredAt) state = await cli.call('imagery:setAcquiredAt', { dateId: known.id, date: acquiredAt });
      ids.push(known.id);
      continue;
    }
    const before = new Set(state.dates.map((d) => d.id));
    state = await cli.call('imagery:addDate', { uris: [uri], acquiredAt });
    ids.push(state.dates.find((d) => !before.has(d.id))!.id);
  }
  if (options.pixelSize !== undefined)
    state = await cli.call('imagery:setPixelSize', { sizeM: options.pixelSize });
  const view = mapViewOn(state);
  if (view) await cli.call('project:setMapView', view);
  return ids;
}

/**
 * Runs each date of a series against the next, one run after another (run:startBatch checks every pair first),
 * then reports each run as a single run is reported; resolves with the first exit code that is not 0.
 */
async function runSeries(
  cli: CliSession,
  options: RunOptions,
  request: Omit<Request<'run:startBatch'>, 'pairs'>,
  out: Output,
): Promise<number> {
  let opened: 'opened' | 'created' | undefined;
  try {
    opened = await openOrCreate(cli, options.project);
    const ids = await seriesDateIds(cli, options);
    cli.session.services().runs.subscribe((e) => out.event(e));
    await cli.call('run:startBatch', {
      ...request,
      pairs: ids.slice(1).map((to, i) => ({ from: ids[i], to })),
    });
  } catch (error) {
    if (opened === 'created') await discardCreated(cli);
    return refusal(error, options.json);
  }
  const services = cli.session.services();
  const batch = services.runBatch!;
  const onSignal = () => void services.runs.cancelRun(batch.runIds.at(-1)!);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runIds = await batch.finished;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  let code: number = EXIT.done;
  for (const runId of runIds) {
    const result = await follow(cli, runId, path.resolve(options.project), out);
    if (code === EXIT.done) code = result;
  }
  // A batch that stopped early said why (a warning); its exit code says it did not finish.
  return code === EXIT.done && runIds.length < batch.pairs.length ? EXIT.failed : code;
}

/** Follows a started run to its end, then its regions; resolves with the exit code. */
async function follow(cli: CliSession, runId: number, project: string, out: Output): Promise<number> {
  const service = cli.session.services().runs;
  const onSignal = () => void service.cancelRun(runId);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const run = await service.whenSettled(runId);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (run.status === 'cancelled') return EXIT.cancelled;
  if (run.status !== 'done') return EXIT.failed;
  // Regions are found by the services when a run finishes (unless --no-regions): wait for them.
  const regions: Promise<RegionsComputed | null> | undefined = cli.session
    .services()
    .regions.whenAutomaticDone(runId);
  if (!regions) {
    out.line(
      'run:summary',
      { runId, regionCount: null },
      `Run ${runId} done; no regions were asked for. Find them with: changemap regions --project "${project}" --run ${runId}`,
    );
    return EXIT.done;
  }
  const computed = await regions;
  if (!computed) {
    out.line(
      'regions:failed',
      { runId },
      `The regions of run ${runId} could not be found (see the warning above); try again with: changemap regions --project "${project}" --run ${runId}`,
    );
    return EXIT.failed;
  }
  out.line('regions:done', { ...computed }, describeRegions(computed));
  out.line(
    'run:summary',
    { runId, regionCount: computed.regionCount, probabilityPath: run.probabilityPath },
    `Export them with: changemap export --project "${project}" --run ${runId} --format gpkg --out regions.gpkg`,
  );
  return EXIT.done;
}

/** The services' warnings (log:warning), printed as the run's other lines are. */
function printWarnings(cli: ReturnType<typeof cliSession>, out: ReturnType<typeof output>): void {
  cli.session.events.subscribe((event, payload) => {
    if (event !== 'log:warning') return;
    const { message } = payload as { message: string };
    out.line('warning', payload as Record<string, unknown>, `warning: ${message}`);
  });
}

/** What `run` asks of each run, from its flags. */
function runRequest(options: RunOptions): Request<'run:start'> {
  return {
    // Passed through as given; left out, the contract's default (the automatic choice).
    model: options.model,
    provider: options.provider,
    gridAoi: options.aoi,
    chunkSize: options.chunkSize,
    chipSize: options.chip,
    overlap: options.overlap,
    batchSize: options.batch,
    threads: options.threads,
    sessions: options.sessions,
    memoryBudgetMiB: options.memoryBudget,
    regionSettings: options.settings,
    findRegions: options.regions,
    engine: options.engine,
    output: options.output,
    s3Endpoint: options.s3Endpoint,
  };
}

/**
 * The session a run or resume works in, its exit code what `work` resolves with: the inference worker starts loading
 * while the project and the imagery open, warnings are printed, and the output, session and a spare worker no run
 * took are ended whatever happens.
 */
async function inRunSession(
  json: boolean,
  work: (cli: ReturnType<typeof cliSession>, out: ReturnType<typeof output>) => Promise<number>,
): Promise<number> {
  InferenceWorker.prestart();
  const out = output(json);
  const cli = cliSession();
  printWarnings(cli, out);
  try {
    return await work(cli, out);
  } finally {
    out.end();
    cli.dispose();
    await InferenceWorker.releaseSpare();
  }
}

/** Runs change detection on new imagery; resolves with the exit code. */
export function runCommand(options: RunOptions): Promise<number> {
  return inRunSession(options.json, async (cli, out) => {
    if (options.dates || options.dateIds) {
      return await runSeries(cli, options, runRequest(options), out);
    }
    let runId: number;
    let opened: 'opened' | 'created' | undefined;
    try {
      opened = await openOrCreate(cli, options.project);
      await setImagery(cli, options);
      cli.session.services().runs.subscribe((e) => out.event(e));
      const run = await cli.call('run:start', runRequest(options));
      runId = run.id;
    } catch (error) {
      // Refused before starting: a project this command made (empty but for the imagery) is taken away again.
      if (opened === 'created') await discardCreated(cli);
      return refusal(error, options.json);
    }
    return await follow(cli, runId, path.resolve(options.project), out);
  });
}

/** Resumes a cancelled, failed or interrupted run (the last one unless --run); resolves with the exit code. */
export function resumeCommand(options: ResumeOptions): Promise<number> {
  return inRunSession(options.json, async (cli, out) => {
    let runId: number;
    try {
      await cli.call('project:open', { path: path.resolve(options.project) });
      const resumable = (await cli.call('run:list', {})).filter((r) => r.status !== 'done');
      runId = options.run ?? resumable.at(-1)?.id ?? 0;
      if (!runId) throw new ChangeMapError('RUN_NOT_FOUND', 'This project has no run to resume.');
      cli.session.services().runs.subscribe((e) => out.event(e));
      await cli.call('run:resume', {
        runId,
        engine: options.engine,
        output: options.output,
        s3Endpoint: options.s3Endpoint,
      });
    } catch (error) {
      return refusal(error, options.json);
    }
    return await follow(cli, runId, path.resolve(options.project), out);
  });
}
