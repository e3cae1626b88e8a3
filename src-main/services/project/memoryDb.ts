// An in-memory project database with every migration applied: what a service test needs.
import Database from 'better-sqlite3';
import { GPKG_APPLICATION_ID } from './schema';
import { migrate, type Db } from './projectStore';

export function openMemoryProjectDb(): Db {
  const db = new Database(':memory:');
  db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  db.pragma('foreign_keys = ON');
  migrate(db, 0);
  return db;
}
