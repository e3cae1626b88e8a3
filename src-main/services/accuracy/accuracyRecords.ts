// The cm_accuracy_samples and cm_accuracy_points tables as the rest of the app sees them.
import type Database from 'better-sqlite3';
import {
  REFERENCE_LABELS,
  type ReferenceLabel,
  type SampleDesign,
  type Stratum,
} from '../../core/accuracy/changeAccuracy';
import { ChangeMapError } from '../../core/errors';
import { parseStoredJson } from '../project/storedValues';
import type { DrawnSample, SamplePoint } from './drawSample';

type Db = Database.Database;

/** A drawn point as the project keeps it: with its id, its place in WGS 84 and the planner's label. */
export interface StoredPoint extends SamplePoint {
  id: number;
  lon: number;
  lat: number;
  label: ReferenceLabel | null;
}

export interface StoredSample {
  id: number;
  runId: number;
  createdAt: string;
  seed: number;
  strataPixels: Record<Stratum, number>;
  m2PerPixel: number | null;
  design: SampleDesign & { points: number };
}

interface SampleRow {
  id: number;
  run_id: number;
  created_at: string;
  seed: number;
  changed_pixels: number;
  unchanged_pixels: number;
  m2_per_pixel: number | null;
  design: string;
}

function toSample(r: SampleRow): StoredSample {
  return {
    id: r.id,
    runId: r.run_id,
    createdAt: r.created_at,
    seed: r.seed,
    strataPixels: { changed: r.changed_pixels, unchanged: r.unchanged_pixels },
    m2PerPixel: r.m2_per_pixel,
    design: parseStoredJson(r.design, `the design of accuracy sample ${r.id}`),
  };
}

/** Saves a drawn sample and its points in one transaction; returns the sample's id. */
export function saveSample(
  db: Db,
  runId: number,
  drawn: DrawnSample,
  design: SampleDesign,
  m2PerPixel: number | null,
  toLonLat: (x: number, y: number) => [number, number],
): number {
  return db.transaction(() => {
    const id = Number(
      db
        .prepare(
          `INSERT INTO cm_accuracy_samples (run_id, seed, changed_pixels, unchanged_pixels, m2_per_pixel, design)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          runId,
          drawn.seed,
          drawn.strataPixels.changed,
          drawn.strataPixels.unchanged,
          m2PerPixel,
          JSON.stringify({ ...design, points: drawn.points.length }),
        ).lastInsertRowid,
    );
    const insert = db.prepare(
      `INSERT INTO cm_accuracy_points (sample_id, idx, stratum, col, row, x, y, lon, lat)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const p of drawn.points) {
      const [lon, lat] = toLonLat(p.x, p.y);
      insert.run(id, p.idx, p.stratum, p.col, p.row, p.x, p.y, lon, lat);
    }
    return id;
  })();
}

export function getSample(db: Db, sampleId: number): StoredSample {
  const row = db.prepare('SELECT * FROM cm_accuracy_samples WHERE id = ?').get(sampleId) as
    SampleRow | undefined;
  if (!row)
    throw new ChangeMapError('ACCURACY_SAMPLE_NOT_FOUND', `There is no accuracy sample number ${sampleId}.`);
  return toSample(row);
}

/** The run's newest sample, or null when it has none. */
export function latestSample(db: Db, runId: number): StoredSample | null {
  const row = db
    .prepare('SELECT * FROM cm_accuracy_samples WHERE run_id = ? ORDER BY id DESC LIMIT 1')
    .get(runId) as SampleRow | undefined;
  return row ? toSample(row) : null;
}

export function samplePoints(db: Db, sampleId: number): StoredPoint[] {
  return db
    .prepare(
      `SELECT id, idx, stratum, col, row, x, y, lon, lat, label FROM cm_accuracy_points
       WHERE sample_id = ? ORDER BY idx`,
    )
    .all(sampleId) as StoredPoint[];
}

export function getPoint(db: Db, pointId: number): StoredPoint & { sampleId: number } {
  const row = db
    .prepare(
      `SELECT id, sample_id AS sampleId, idx, stratum, col, row, x, y, lon, lat, label
       FROM cm_accuracy_points WHERE id = ?`,
    )
    .get(pointId) as (StoredPoint & { sampleId: number }) | undefined;
  if (!row)
    throw new ChangeMapError('ACCURACY_POINT_NOT_FOUND', `There is no sample point number ${pointId}.`);
  return row;
}

/** Sets (or clears, with null) the reference label of a point. */
export function labelPoint(db: Db, pointId: number, label: ReferenceLabel | null): StoredPoint {
  if (label !== null && !REFERENCE_LABELS.includes(label))
    throw new ChangeMapError(
      'ACCURACY_BAD_LABEL',
      `A reference label is one of ${REFERENCE_LABELS.join(', ')} (got ${String(label)}).`,
    );
  const changed = db
    .prepare(
      `UPDATE cm_accuracy_points SET label = ?,
         labelled_at = CASE WHEN ? IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ','now') END
       WHERE id = ?`,
    )
    .run(label, label, pointId).changes;
  if (changed === 0)
    throw new ChangeMapError('ACCURACY_POINT_NOT_FOUND', `There is no sample point number ${pointId}.`);
  return getPoint(db, pointId);
}
