// `changemap run` and `changemap resume`: change detection from the command line, with a progress bar on a
// terminal or one JSON event per line (--json) for scripts. Exit codes: see EXIT.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import { isProviderRequest } from '../services/inference/providers';
import { ProjectStore } from '../services/project/projectStore';
import { RunService } from '../services/runs/RunService';
import type { RunEvent } from '../services/runs/runEvents';
import { openRunInputs } from '../services/runs/openRunInputs';
import type { AreaOfInterest, RunInputs } from '../services/runs/runTypes';
import { flag, integer, one, UsageError, type ParsedArgs } from './args';
import { progressLine } from './progressBar';

export const EXIT = {
  done: 0,
  /** The run started and failed (disk full, unreadable chunk, ...). */
  failed: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** Refused before starting: bad model, bad inputs, area outside the imagery, project in use. */
  refused: 3,
  /** Cancelled (Ctrl-C); resume with `changemap resume`. */
  cancelled: 130,
} as const;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_MODEL = 'changemap-change-v1';

function openOrCreateProject(file: string): ProjectStore {
  return fs.existsSync(file) ? ProjectStore.open(file) : ProjectStore.create(file);
}

function parseAoi(text: string | undefined): AreaOfInterest | null {
  if (text === undefined) return null;
  const v = text.split(',').map(Number);
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)) || v[0] >= v[2] || v[1] >= v[3]) {
    throw new UsageError(
      '--aoi must be minx,miny,maxx,maxy in the imagery CRS (pixels for images without georeference).',
    );
  }
  return { kind: 'bbox', minX: v[0], minY: v[1], maxX: v[2], maxY: v[3] };
}

function parseInputs(args: ParsedArgs): RunInputs {
  const synthetic = one(args, 'synthetic');
  if (synthetic) {
    const m = /^(\d+)x(\d+)$/.exec(synthetic);
    if (!m) throw new UsageError('--synthetic takes WIDTHxHEIGHT, e.g. 2000x1500.');
    return {
      kind: 'synthetic',
      width: Number(m[1]),
      height: Number(m[2]),
      bands: 3,
      seed: integer(args, 'seed') ?? 1,
    };
  }
  const before = args.flags.get('before') ?? [];
  const after = args.flags.get('after') ?? [];
  if (before.length === 0 || after.length === 0)
    throw new UsageError('Give the imagery with --before FILE... --after FILE...');
  return {
    kind: 'files',
    before: before.map((f) => path.resolve(f)),
    after: after.map((f) => path.resolve(f)),
  };
}

interface Output {
  event(e: RunEvent): void;
  end(): void;
}

function output(json: boolean): Output {
  if (json) return { event: (e) => process.stdout.write(`${JSON.stringify(e)}\n`), end: () => undefined };
  const tty = process.stderr.isTTY;
  let drawn = false;
  return {
    event(e) {
      if (e.type === 'run:progress') {
        if (tty) {
          process.stderr.write(`\r${progressLine(e)}\x1b[K`);
          drawn = true;
        }
        return;
      }
      if (drawn) process.stderr.write('\n');
      drawn = false;
      if (e.type === 'run:started') {
        const left = e.chunks.filter((c) => c.state !== 'done').length;
        process.stderr.write(
          `Run ${e.runId}: ${e.grid.width} x ${e.grid.height} px, ${e.chunks.length} chunks (${left} to do), provider ${e.providerUsed}${e.resumed ? ', resumed' : ''}\n`,
        );
        for (const w of e.warnings) process.stderr.write(`warning: ${w}\n`);
      } else if (e.type === 'run:done') {
        process.stderr.write(`Done in ${e.seconds.toFixed(1)} s.\n`);
        process.stdout.write(`${e.probabilityPath}\n`);
      } else if (e.type === 'run:failed')
        process.stderr.write(`Run ${e.runId} failed: ${e.message} [${e.code}]\n`);
      else if (e.type === 'run:cancelled')
        process.stderr.write(
          `Run ${e.runId} cancelled; continue it with: changemap resume --project ... --run ${e.runId}\n`,
        );
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

function refusal(error: unknown, json: boolean): number {
  const code = isChangeMapError(error) ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${JSON.stringify({ type: 'run:refused', code, message })}\n`);
  else process.stderr.write(`changemap: ${message} [${code}]\n`);
  return EXIT.refused;
}

/** Runs or resumes; resolves with the exit code. */
export async function runCommand(args: ParsedArgs, mode: 'run' | 'resume'): Promise<number> {
  const json = flag(args, 'json');
  const projectPath = one(args, 'project');
  if (!projectPath) throw new UsageError('Give the project file with --project out.gpkg.');
  const provider = one(args, 'provider') ?? 'auto';
  if (!isProviderRequest(provider))
    throw new UsageError('--provider must be auto, cpu, cuda, dml or coreml.');
  const inputs = mode === 'run' ? parseInputs(args) : null;
  const aoi = parseAoi(one(args, 'aoi'));
  const runArg = mode === 'resume' ? integer(args, 'run') : undefined;

  let store: ProjectStore;
  try {
    store = openOrCreateProject(path.resolve(projectPath));
  } catch (error) {
    return refusal(error, json);
  }
  const service = new RunService({
    db: store.db,
    dataDir: store.dataDir,
    modelDirs: [path.join(repoRoot, 'models')],
    openPair: openRunInputs,
  });
  const out = output(json);
  service.subscribe((e) => out.event(e));
  let runId: number;
  try {
    if (mode === 'run') {
      runId = await service.startRun({
        inputs: inputs!,
        aoi,
        model: one(args, 'model') ?? DEFAULT_MODEL,
        provider,
        chunkSize: integer(args, 'chunk-size'),
        overlap: integer(args, 'overlap'),
        batchSize: integer(args, 'batch'),
        threads: integer(args, 'threads'),
      });
    } else {
      const resumable = service.listRuns().filter((r) => r.status !== 'done');
      runId = runArg ?? resumable.at(-1)?.id ?? 0;
      if (!runId) throw new ChangeMapError('RUN_NOT_FOUND', 'This project has no run to resume.');
      await service.resumeRun(runId);
    }
  } catch (error) {
    store.close();
    if (error instanceof UsageError) throw error;
    return refusal(error, json);
  }
  const onSignal = () => void service.cancelRun(runId);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const run = await service.whenSettled(runId);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  out.end();
  store.close();
  return run.status === 'done' ? EXIT.done : run.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
}
