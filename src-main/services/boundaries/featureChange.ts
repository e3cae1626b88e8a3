// Per-feature change figures of a boundary layer for a run, summed in SQL over the stored overlaps, so a review
// (confirm, reject) shows at once: changed area and its share (every region but rejected ones), region count,
// dominant transitions by area, and how many overlapping regions are unreviewed, confirmed or rejected. The one
// home of these figures: the attribute table, the summary export, the command line and the report read them here.
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import type {
  BoundaryFeaturePage,
  BoundaryFeatureRow,
  BoundarySort,
  BoundaryValue,
  TransitionArea,
} from '../../ipc/contract';
import { getBoundaryLayer } from './boundaryLayers';
import { joinState } from './boundaryJoin';

type Db = Database.Database;

/** Transitions listed per feature, largest first. */
export const DOMINANT_TRANSITIONS = 3;

export interface FeatureChangeQuery {
  layerId: number;
  /** Without a run every figure is zero (the layer's plain attribute table). */
  runId?: number;
  sort?: BoundarySort;
  /** The attribute sorted by when sort is 'field'. */
  field?: string;
  descending?: boolean;
  /** Case-insensitive text in the key, label or any attribute. */
  filter?: string;
  offset?: number;
  /** -1: every feature. */
  limit?: number;
}

const ORDER: Record<Exclude<BoundarySort, 'field'>, string> = {
  label: 'f.label COLLATE NOCASE',
  key: 'f.feature_key',
  area: 'f.area_m2',
  changed: 'changed',
  changedPct: 'changed_pct',
  regions: 'region_count',
};

interface Row {
  fid: number;
  feature_key: string;
  label: string;
  area_m2: number;
  properties: string;
  changed: number;
  changed_pct: number | null;
  region_count: number;
  unreviewed: number;
  confirmed: number;
  rejected: number;
}

function jsonPath(field: string): string {
  return `$."${field.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function transitionsOf(db: Db, runId: number, fids: number[]): Map<number, TransitionArea[]> {
  const out = new Map<number, TransitionArea[]>();
  if (fids.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT o.feature_fid AS fid, r.from_class AS "from", r.to_class AS "to", SUM(o.overlap_m2) AS area
       FROM cm_region_overlaps o JOIN change_regions r ON r.fid = o.region_fid
       WHERE o.run_id = ? AND r.review_state != 'rejected' AND o.feature_fid IN (SELECT value FROM json_each(?))
       GROUP BY o.feature_fid, r.from_class, r.to_class ORDER BY area DESC`,
    )
    .all(runId, JSON.stringify(fids)) as {
    fid: number;
    from: string | null;
    to: string | null;
    area: number;
  }[];
  for (const r of rows) {
    const list = out.get(r.fid) ?? [];
    if (list.length < DOMINANT_TRANSITIONS) list.push({ from: r.from, to: r.to, areaM2: r.area });
    out.set(r.fid, list);
  }
  return out;
}

export function featureChangePage(db: Db, q: FeatureChangeQuery): BoundaryFeaturePage {
  const layer = getBoundaryLayer(db, q.layerId);
  const runId = q.runId ?? 0;
  if (q.runId !== undefined && !db.prepare('SELECT 1 FROM cm_runs WHERE id = ?').get(q.runId))
    throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${q.runId} in this project.`);
  const where = ['f.layer_id = @layerId'];
  const params: Record<string, unknown> = { layerId: q.layerId, runId };
  if (q.filter?.trim()) {
    where.push(
      "(f.label LIKE @q ESCAPE '\\' OR f.feature_key LIKE @q ESCAPE '\\' OR f.properties LIKE @q ESCAPE '\\')",
    );
    params.q = likePattern(q.filter.trim());
  }
  const sort = q.sort ?? 'label';
  let order: string;
  if (sort === 'field') {
    if (!q.field || !layer.fields.some((f) => f.name === q.field))
      throw new ChangeMapError(
        'BOUNDARY_FIELD_NOT_FOUND',
        `Layer ${layer.name} has no attribute ${q.field ?? '(none given)'} to sort by.`,
      );
    order = 'json_extract(f.properties, @path)';
    params.path = jsonPath(q.field);
  } else order = ORDER[sort];
  const direction = q.descending ? 'DESC' : 'ASC';
  const base = `
    WITH s AS (
      SELECT o.feature_fid AS fid,
        SUM(CASE WHEN r.review_state != 'rejected' THEN o.overlap_m2 ELSE 0 END) AS changed,
        SUM(r.review_state != 'rejected') AS region_count,
        SUM(r.review_state = 'unreviewed') AS unreviewed,
        SUM(r.review_state = 'confirmed') AS confirmed,
        SUM(r.review_state = 'rejected') AS rejected
      FROM cm_region_overlaps o JOIN change_regions r ON r.fid = o.region_fid
      WHERE o.layer_id = @layerId AND o.run_id = @runId GROUP BY o.feature_fid)
    SELECT f.fid, f.feature_key, f.label, f.area_m2, f.properties, COALESCE(s.changed, 0) AS changed,
      CASE WHEN f.area_m2 > 0 THEN 100.0 * COALESCE(s.changed, 0) / f.area_m2 END AS changed_pct,
      COALESCE(s.region_count, 0) AS region_count, COALESCE(s.unreviewed, 0) AS unreviewed,
      COALESCE(s.confirmed, 0) AS confirmed, COALESCE(s.rejected, 0) AS rejected
    FROM boundary_features f LEFT JOIN s ON s.fid = f.fid
    WHERE ${where.join(' AND ')}`;
  const total = (
    db
      .prepare(`SELECT COUNT(*) AS n FROM boundary_features f WHERE ${where.join(' AND ')}`)
      .get({ layerId: q.layerId, ...(params.q ? { q: params.q } : {}) }) as { n: number }
  ).n;
  const rows = db
    .prepare(`${base} ORDER BY ${order} ${direction}, f.fid ${direction} LIMIT @limit OFFSET @offset`)
    .all({ ...params, limit: q.limit ?? 200, offset: q.offset ?? 0 }) as Row[];
  const transitions = q.runId
    ? transitionsOf(
        db,
        runId,
        rows.filter((r) => r.region_count > 0).map((r) => r.fid),
      )
    : new Map<number, TransitionArea[]>();
  const items: BoundaryFeatureRow[] = rows.map((r) => ({
    fid: r.fid,
    key: r.feature_key,
    label: r.label,
    areaM2: r.area_m2,
    properties: JSON.parse(r.properties) as Record<string, BoundaryValue>,
    changedM2: r.changed,
    changedPct: r.changed_pct,
    regionCount: r.region_count,
    transitions: transitions.get(r.fid) ?? [],
    reviews: { unreviewed: r.unreviewed, confirmed: r.confirmed, rejected: r.rejected },
  }));
  return { total, items, join: q.runId ? joinState(db, q.layerId, q.runId) : null };
}

/** Every feature of a layer with its figures for a run, largest changed area first (summary export, report). */
export function featureChangeRows(db: Db, layerId: number, runId: number): BoundaryFeatureRow[] {
  // LIMIT -1: SQLite's "no limit", one aggregation for the whole layer.
  return featureChangePage(db, { layerId, runId, sort: 'changed', descending: true, limit: -1 }).items;
}
