// A finished run row, for tests that hang regions, samples or layers on a run without running a model.
import type Database from 'better-sqlite3';

/** Inserts a run with status done (model `model`, `params` as stored, e.g. its grid); returns its id. */
export function insertFinishedRun(
  db: Database.Database,
  options: { model?: string; params?: Record<string, unknown> } = {},
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
         VALUES ('done', ?, '1', '', 'cpu', ?)`,
      )
      .run(options.model ?? 'test', JSON.stringify(options.params ?? {})).lastInsertRowid,
  );
}
