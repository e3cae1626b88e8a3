// One GeoPackage feature layer per run, so QGIS (and GDAL) list "change_regions_run_N" beside the change_regions
// layer that holds every run's regions. Each is a view over change_regions registered in gpkg_contents and
// gpkg_geometry_columns (GeoPackage 1.3 allows views as feature tables; GDAL takes fid as their feature id).
// Views rather than copies: a review saved in change_regions shows in the run's layer at once.
import { decodeStoredOutline } from './storedValues';
import type Database from 'better-sqlite3';

type Db = Database.Database;

const PREFIX = 'change_regions_run_';

/** The layer (view) name of a run's regions. */
export function runRegionLayerName(runId: number): string {
  if (!Number.isSafeInteger(runId) || runId < 1) throw new RangeError(`Not a run id: ${runId}`);
  return `${PREFIX}${runId}`;
}

interface RunRow {
  id: number;
  model_name: string;
  created_at: string;
}

export interface LayerExtent {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * Makes sure run runId has its layer, in srsId: 4326 (WGS 84, as change_regions) or -1 (pixel coordinates of
 * imagery without georeference). `extent` (null: no regions) replaces the layer's recorded extent; undefined
 * leaves it. Cheap when the layer exists. Call inside the transaction that writes the run's regions.
 */
export function ensureRunRegionLayer(
  db: Db,
  runId: number,
  srsId: 4326 | -1,
  extent?: LayerExtent | null,
): void {
  const name = runRegionLayerName(runId);
  const exists = db.prepare('SELECT 1 FROM gpkg_contents WHERE table_name = ?').get(name);
  if (!exists) {
    const run = db.prepare('SELECT id, model_name, created_at FROM cm_runs WHERE id = ?').get(runId) as
      RunRow | undefined;
    if (!run) throw new RangeError(`Run ${runId} does not exist`);
    // The name is built from an integer, so it is safe inside the statement.
    db.exec(`CREATE VIEW IF NOT EXISTS "${name}" AS SELECT * FROM change_regions WHERE run_id = ${run.id}`);
    db.prepare(
      `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
       VALUES (?, 'features', ?, ?, ?)`,
    ).run(
      name,
      `Change regions of run ${run.id}`,
      `Run ${run.id}: ${run.model_name}, started ${run.created_at}`,
      srsId,
    );
    db.prepare(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)`).run(
      name,
      srsId,
    );
  }
  if (extent !== undefined) {
    db.prepare(
      `UPDATE gpkg_contents SET min_x = @x0, min_y = @y0, max_x = @x1, max_y = @y1,
       last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = @name`,
    ).run({
      name,
      x0: extent?.minX ?? null,
      y0: extent?.minY ?? null,
      x1: extent?.maxX ?? null,
      y1: extent?.maxY ?? null,
    });
  }
}

/** The SRS a run's stored outlines are in (their GeoPackage geometry header says): 4326, or -1 in pixel space. */
function storedSrsId(db: Db, runId: number): 4326 | -1 {
  const row = db
    .prepare('SELECT geom FROM change_regions WHERE run_id = ? AND geom IS NOT NULL LIMIT 1')
    .get(runId) as { geom: Uint8Array } | undefined;
  return row && decodeStoredOutline(row.geom).srsId === -1 ? -1 : 4326;
}

/**
 * Gives every run that has regions its layer, and removes the layers of runs that no longer exist. Writes only
 * when something is missing or stale (projects made before these layers existed, runs deleted).
 */
export function syncRunRegionLayers(db: Db): void {
  const withRegions = db
    .prepare('SELECT DISTINCT run_id AS id FROM change_regions WHERE run_id IN (SELECT id FROM cm_runs)')
    .all() as { id: number }[];
  const layers = db
    .prepare(`SELECT table_name AS name FROM gpkg_contents WHERE table_name GLOB '${PREFIX}[0-9]*'`)
    .all() as { name: string }[];
  const runIds = new Set((db.prepare('SELECT id FROM cm_runs').all() as { id: number }[]).map((r) => r.id));
  const have = new Set(layers.map((l) => l.name));
  const missing = withRegions.filter((r) => !have.has(runRegionLayerName(r.id)));
  const stale = layers.filter((l) => !runIds.has(Number(l.name.slice(PREFIX.length))));
  if (!missing.length && !stale.length) return;
  db.transaction(() => {
    for (const { id } of missing) ensureRunRegionLayer(db, id, storedSrsId(db, id));
    for (const { name } of stale) {
      db.prepare('DELETE FROM gpkg_geometry_columns WHERE table_name = ?').run(name);
      db.prepare('DELETE FROM gpkg_contents WHERE table_name = ?').run(name);
      db.exec(`DROP VIEW IF EXISTS "${name.replace(/"/g, '""')}"`);
    }
  })();
}
