// Column mutations of a project file: a value stored where the app reads JSON, a path, a geometry or a number.
// Applied through SQLite (the file stays a valid database); a value a column's constraint refuses changes nothing.
import Database from 'better-sqlite3';
import type { Mutation } from './mutations';

/** Columns the app reads back when it opens a project and lists its imagery, runs and regions. */
export const PROJECT_COLUMNS: readonly (readonly [table: string, column: string])[] = [
  ['cm_settings', 'value'],
  ['cm_imagery_sets', 'metadata'],
  ['cm_imagery_sets', 'acquired_at'],
  ['cm_imagery_files', 'uri'],
  ['cm_imagery_files', 'fingerprint'],
  ['cm_runs', 'params'],
  ['cm_runs', 'warnings'],
  ['cm_runs', 'region_settings'],
  ['cm_runs', 'probability_path'],
  ['cm_runs', 'model_name'],
  ['cm_runs', 'provider_used'],
  ['cm_run_chunks', 'width'],
  ['cm_run_chunks', 'state'],
  ['change_regions', 'from_top3'],
  ['change_regions', 'to_top3'],
  ['change_regions', 'geom'],
  ['change_regions', 'geom_grid'],
  ['change_regions', 'area_m2'],
  ['change_regions', 'note'],
];

/** Applies the column mutations to the project file in place. */
export function mutateColumns(file: string, mutations: Extract<Mutation, { k: 'column' }>[]): void {
  if (mutations.length === 0) return;
  const db = new Database(file);
  try {
    for (const m of mutations) {
      const [table, column] = PROJECT_COLUMNS[m.target % PROJECT_COLUMNS.length];
      try {
        db.prepare(`UPDATE ${table} SET ${column} = ?`).run(m.value);
      } catch {
        // NOT NULL / CHECK constraints: the database itself keeps such values out.
      }
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
