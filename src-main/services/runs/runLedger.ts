// The run ledger in the project file (cm_runs, cm_run_chunks): every state change is one small transaction,
// so a run killed at any moment leaves a ledger that says exactly which chunks are safely done.
import { ChangeMapError } from '../../core/errors';
import type { Db } from '../project/projectStore';
import { parseStoredJson } from '../project/storedValues';
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import type { ProviderId, ProviderRequest } from '../inference/providers';
import type { ChunkRecord, ChunkState, RunDates, RunParams, RunRecord, RunStatus } from './runTypes';

interface RunRow {
  id: number;
  created_at: string;
  status: RunStatus;
  model_name: string;
  model_version: string;
  model_sha256: string;
  model_requested: string | null;
  model_reason: string | null;
  provider_requested: string;
  provider_used: string | null;
  params: string;
  probability_path: string | null;
  warnings: string;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  from_date_id: number | null;
  to_date_id: number | null;
}

interface ChunkRow {
  idx: number;
  x: number;
  y: number;
  width: number;
  height: number;
  state: ChunkState;
  attempts: number;
  computed_count: number;
  millis: number | null;
  error: string | null;
  worker: string | null;
}

const now = () => new Date().toISOString();

/** What a damaged ledger row says, as the other stored values do (project/storedValues.ts). */
function corruptLedger(what: string): ChangeMapError {
  return new ChangeMapError(
    'PROJECT_CORRUPT',
    `The project's ${what} is damaged, so the run cannot be read; the file was left as it is. Open a backup of the project, or start the run again.`,
  );
}

const isCount = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;

/** Where a run records no grid, chunk windows must still be sizes an array can have. */
const MAX_GRID_SIDE = 2 ** 31;

/**
 * A chunk's window must be whole pixels inside the run's grid: text, fractions or huge numbers there would reach
 * every reader as NaN or infinite coordinates.
 */
function storedChunk(c: ChunkRow, runId: number, grid: GridSpec | undefined): ChunkRecord {
  const whole = isCount(c.x, 0) && isCount(c.y, 0) && isCount(c.width, 1) && isCount(c.height, 1);
  const width = grid?.width ?? MAX_GRID_SIDE;
  const height = grid?.height ?? MAX_GRID_SIDE;
  if (!whole || c.x + c.width > width || c.y + c.height > height)
    throw corruptLedger(`run ${runId} chunk ${c.idx} window`);
  return {
    idx: c.idx,
    window: { x: c.x, y: c.y, width: c.width, height: c.height },
    state: c.state,
    attempts: c.attempts,
    computedCount: c.computed_count,
    millis: c.millis,
    error: c.error,
    worker: c.worker ?? null,
  };
}

/**
 * A run's settings: a JSON object whose grid, where it has one, is a grid every reader can work on (a run's inputs
 * are checked where they are opened: openRunInputs). Runs recorded by hand in tests may leave the grid out.
 */
function storedParams(row: RunRow): RunParams {
  const params = parseStoredJson<RunParams | null>(row.params, `run ${row.id} settings`);
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw corruptLedger(`run ${row.id} settings`);
  const grid = params.grid as GridSpec | undefined;
  const ok =
    grid === undefined ||
    (typeof grid === 'object' &&
      grid !== null &&
      isCount(grid.width, 1) &&
      isCount(grid.height, 1) &&
      Array.isArray(grid.geoTransform) &&
      grid.geoTransform.length === 6 &&
      grid.geoTransform.every((v) => Number.isFinite(v)) &&
      typeof grid.crs === 'object' &&
      grid.crs !== null);
  if (!ok) throw corruptLedger(`run ${row.id} settings (its grid)`);
  return params;
}

function storedWarnings(row: Pick<RunRow, 'id' | 'warnings'>): string[] {
  const warnings = parseStoredJson<unknown>(row.warnings, `run ${row.id} warnings`);
  if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === 'string'))
    throw corruptLedger(`run ${row.id} warnings`);
  return warnings;
}

export interface NewRun {
  modelName: string;
  modelVersion: string;
  modelSha256: string;
  /** 'auto' or the model name / card path the user gave. */
  modelRequested: string;
  /** Why this model (the automatic choice's reason); null when the user picked it. */
  modelReason: string | null;
  providerRequested: ProviderRequest;
  params: RunParams;
  /** The dates of the series compared (left out: none). */
  dates?: RunDates;
  /** Known before the run starts (e.g. imagery outside the model's ground sampling range). */
  warnings: string[];
  chunks: PixelWindow[];
}

export class RunLedger {
  constructor(private readonly db: Db) {}

  create(run: NewRun): number {
    const insertRun = this.db.prepare(
      `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, model_requested, model_reason,
         provider_requested, params, warnings, from_date_id, to_date_id)
       VALUES ('pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertChunk = this.db.prepare(
      `INSERT INTO cm_run_chunks (run_id, idx, x, y, width, height, state) VALUES (?, ?, ?, ?, ?, ?, 'waiting')`,
    );
    return this.db.transaction(() => {
      const id = Number(
        insertRun.run(
          run.modelName,
          run.modelVersion,
          run.modelSha256,
          run.modelRequested,
          run.modelReason,
          run.providerRequested,
          JSON.stringify(run.params),
          JSON.stringify(run.warnings),
          run.dates?.from ?? null,
          run.dates?.to ?? null,
        ).lastInsertRowid,
      );
      run.chunks.forEach((c, idx) => insertChunk.run(id, idx, c.x, c.y, c.width, c.height));
      return id;
    })();
  }

  get(id: number): RunRecord | null {
    const row = this.db.prepare('SELECT * FROM cm_runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) return null;
    const params = storedParams(row);
    const chunks = (
      this.db.prepare('SELECT * FROM cm_run_chunks WHERE run_id = ? ORDER BY idx').all(id) as ChunkRow[]
    ).map((c): ChunkRecord => storedChunk(c, id, params.grid));
    return {
      id: row.id,
      status: row.status,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      modelName: row.model_name,
      modelVersion: row.model_version,
      modelSha256: row.model_sha256,
      modelRequested: row.model_requested,
      modelReason: row.model_reason,
      providerRequested: row.provider_requested as ProviderRequest,
      providerUsed: row.provider_used as ProviderId | null,
      params,
      dates: { from: row.from_date_id, to: row.to_date_id },
      probabilityPath: row.probability_path,
      warnings: storedWarnings(row),
      error: row.error,
      chunks,
    };
  }

  list(): { id: number; status: RunStatus; createdAt: string; modelName: string }[] {
    return (
      this.db.prepare('SELECT id, status, created_at, model_name FROM cm_runs ORDER BY id').all() as RunRow[]
    ).map((r) => ({ id: r.id, status: r.status, createdAt: r.created_at, modelName: r.model_name }));
  }

  /** The run starts (or resumes): chunks a dead process left running or failed go back to waiting. */
  begin(id: number, providerUsed: ProviderId, warnings: string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE cm_runs SET status = 'running', provider_used = ?, error = NULL, finished_at = NULL,
             started_at = COALESCE(started_at, ?),
             warnings = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(warnings)
                         UNION SELECT value FROM json_each(?)))
           WHERE id = ?`,
        )
        .run(providerUsed, now(), JSON.stringify(warnings), id);
      this.db
        .prepare(
          `UPDATE cm_run_chunks SET state = 'waiting' WHERE run_id = ? AND state IN ('running', 'failed')`,
        )
        .run(id);
    })();
  }

  chunkRunning(id: number, idx: number): void {
    this.db
      .prepare(
        `UPDATE cm_run_chunks SET state = 'running', attempts = attempts + 1, error = NULL WHERE run_id = ? AND idx = ?`,
      )
      .run(id, idx);
  }

  /** Called only once the chunk's result is durable on disk; `worker` names the scale-out worker that made it. */
  chunkDone(id: number, idx: number, millis: number | null, worker: string | null = null): void {
    this.db
      .prepare(
        `UPDATE cm_run_chunks SET state = 'done', computed_count = computed_count + 1, millis = ?, finished_at = ?,
           worker = ? WHERE run_id = ? AND idx = ?`,
      )
      .run(millis, now(), worker, id, idx);
  }

  /** A chunk the ledger says is done but whose stored file is damaged or missing: it is computed again. */
  chunkRedo(id: number, idx: number, error: string): void {
    this.db
      .prepare(
        `UPDATE cm_run_chunks SET state = 'waiting', error = ? WHERE run_id = ? AND idx = ? AND state = 'done'`,
      )
      .run(error, id, idx);
  }

  /** Appends warnings to the run's list, each once, in order. */
  addWarnings(id: number, warnings: string[]): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT id, warnings FROM cm_runs WHERE id = ?').get(id) as
        Pick<RunRow, 'id' | 'warnings'> | undefined;
      if (!row) return;
      const list = storedWarnings(row);
      for (const w of warnings) if (!list.includes(w)) list.push(w);
      this.db.prepare('UPDATE cm_runs SET warnings = ? WHERE id = ?').run(JSON.stringify(list), id);
    })();
  }

  chunkWaiting(id: number, idx: number): void {
    this.db
      .prepare(
        `UPDATE cm_run_chunks SET state = 'waiting' WHERE run_id = ? AND idx = ? AND state = 'running'`,
      )
      .run(id, idx);
  }

  chunkFailed(id: number, idx: number, error: string): void {
    this.db
      .prepare(`UPDATE cm_run_chunks SET state = 'failed', error = ? WHERE run_id = ? AND idx = ?`)
      .run(error, id, idx);
  }

  finish(
    id: number,
    status: Exclude<RunStatus, 'pending' | 'running'>,
    fields: { error?: string; probabilityPath?: string } = {},
  ): void {
    this.db
      .prepare(
        `UPDATE cm_runs SET status = ?, error = ?, probability_path = COALESCE(?, probability_path), finished_at = ? WHERE id = ?`,
      )
      .run(status, fields.error ?? null, fields.probabilityPath ?? null, now(), id);
  }
}
