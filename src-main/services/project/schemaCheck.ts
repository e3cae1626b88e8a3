// Whether a project file's tables have the columns its schema version gives them. quick_check verifies pages and
// indexes, not the schema's text: one damaged byte in sqlite_master (found by the open-path fuzzer) renamed a column,
// and every read of change_regions then failed with "no such column" deep inside a handler.
import Database from 'better-sqlite3';
import type { Db } from './projectStore';
import { MIGRATIONS } from './schema';

const expected = new Map<number, Map<string, string[]>>();

function columnsOf(db: Db): Map<string, string[]> {
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'cm\\_%' ESCAPE '\\' OR name = 'change_regions')",
    )
    .all() as { name: string }[];
  return new Map(
    tables.map(({ name }) => [
      name,
      (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(name) as { name: string }[]).map(
        (c) => c.name,
      ),
    ]),
  );
}

/** The tables and columns the migrations up to `version` make (computed once per version, in memory). */
function expectedColumns(version: number): Map<string, string[]> {
  let columns = expected.get(version);
  if (!columns) {
    const db = new Database(':memory:');
    try {
      for (const m of MIGRATIONS) if (m.version <= version) db.exec(m.sql);
      columns = columnsOf(db);
    } finally {
      db.close();
    }
    expected.set(version, columns);
  }
  return columns;
}

/** The first table whose columns differ from what schema `version` makes, as a phrase; null when all match. */
export function schemaMismatch(db: Db, version: number): string | null {
  const have = columnsOf(db);
  for (const [table, columns] of expectedColumns(version)) {
    const found = have.get(table);
    if (!found) return `the table ${table} is missing`;
    const missing = columns.filter((c) => !found.includes(c));
    if (missing.length)
      return `the table ${table} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  }
  return null;
}
