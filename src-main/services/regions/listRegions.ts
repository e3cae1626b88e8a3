// The region list: sorted, filtered and paged in SQL so it stays fast with 100,000 regions (indexed on
// run + area and run + review state by the schema, run + probability and run + transition here).
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import { REVIEW_STATES, type ReviewState } from '../../core/regions/reviewState';
import type { RegionFilters, RegionSort } from '../../ipc/contract';
import { SUMMARY_COLUMNS, toSummary, type ChangeRegionSummary, type RegionRow } from './regionRecords';

type Db = Database.Database;

/** The API's sort keys, and the region id (stable order for tests and tools). */
export type RegionSortKey = RegionSort | 'fid';

export interface RegionQuery {
  runId: number;
  sort?: { key: RegionSortKey; direction?: 'asc' | 'desc' };
  filters?: RegionFilters;
  offset?: number;
  limit?: number;
}

export interface RegionPage {
  /** Regions matching the filters (all pages). */
  total: number;
  offset: number;
  regions: ChangeRegionSummary[];
}

const ORDER: Record<RegionSortKey, string> = {
  area: 'area_m2',
  probability: 'prob_mean',
  confidence: 'MIN(COALESCE(from_conf, 0), COALESCE(to_conf, 0))',
  transition: 'from_class, to_class',
  review: 'review_state',
  fid: 'fid',
};

const indexedDbs = new WeakSet<Db>();

/** Indexes the list's other sort orders use (idempotent; the schema already has run + area). */
export function ensureRegionIndexes(db: Db): void {
  if (indexedDbs.has(db)) return;
  db.exec(`
CREATE INDEX IF NOT EXISTS change_regions_run_prob ON change_regions (run_id, prob_mean DESC);
CREATE INDEX IF NOT EXISTS change_regions_run_transition ON change_regions (run_id, from_class, to_class);
`);
  indexedDbs.add(db);
}

export function listRegions(db: Db, q: RegionQuery): RegionPage {
  ensureRegionIndexes(db);
  const where: string[] = ['run_id = @runId'];
  const params: Record<string, unknown> = { runId: q.runId };
  const f = q.filters ?? {};
  const num = (name: string, v: number | undefined, sql: string): void => {
    if (v === undefined) return;
    if (!Number.isFinite(v))
      throw new ChangeMapError('REGIONS_BAD_FILTER', `The ${name} filter must be a number.`);
    where.push(sql);
    params[name] = v;
  };
  num('minAreaM2', f.minAreaM2, 'area_m2 >= @minAreaM2');
  num('maxAreaM2', f.maxAreaM2, 'area_m2 <= @maxAreaM2');
  num('minProbability', f.minProbability, 'prob_mean >= @minProbability');
  num('minConfidence', f.minConfidence, 'from_conf >= @minConfidence AND to_conf >= @minConfidence');
  if (f.fromClass !== undefined) {
    where.push('from_class = @fromClass');
    params.fromClass = f.fromClass;
  }
  if (f.toClass !== undefined) {
    where.push('to_class = @toClass');
    params.toClass = f.toClass;
  }
  if (f.landCoverClass !== undefined) {
    where.push('(from_class = @landCoverClass OR to_class = @landCoverClass)');
    params.landCoverClass = f.landCoverClass;
  }
  if (f.boundaryFeature !== undefined) {
    // Regions overlapping the feature (boundaries:join stores every overlap); a region on a border is in both.
    where.push(
      'fid IN (SELECT region_fid FROM cm_region_overlaps WHERE feature_fid = @boundaryFid AND layer_id = @boundaryLayer)',
    );
    params.boundaryFid = f.boundaryFeature.fid;
    params.boundaryLayer = f.boundaryFeature.layerId;
  }
  if (f.reviewStates !== undefined) {
    const bad = f.reviewStates.find((s) => !REVIEW_STATES.includes(s));
    if (bad !== undefined) throw new ChangeMapError('REGIONS_BAD_FILTER', `Unknown review state ${bad}.`);
    if (f.reviewStates.length === 0) return { total: 0, offset: q.offset ?? 0, regions: [] };
    where.push(`review_state IN (${f.reviewStates.map((s) => `'${s}'`).join(', ')})`);
  }
  const key = q.sort?.key ?? 'area';
  if (!(key in ORDER)) throw new ChangeMapError('REGIONS_BAD_SORT', `Regions cannot be sorted by ${key}.`);
  const dir =
    (q.sort?.direction ?? (key === 'transition' || key === 'fid' ? 'asc' : 'desc')) === 'asc'
      ? 'ASC'
      : 'DESC';
  const order = ORDER[key]
    .split(', ')
    .map((c) => `${c} ${dir}`)
    .join(', ');
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.min(1000, Math.max(1, Math.floor(q.limit ?? 100)));
  const whereSql = where.join(' AND ');
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM change_regions WHERE ${whereSql}`).get(params) as { n: number }
  ).n;
  const rows = db
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM change_regions WHERE ${whereSql} ORDER BY ${order}, fid ASC LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit, offset }) as RegionRow[];
  return { total, offset, regions: rows.map(toSummary) };
}

/** Distinct land-cover classes and transitions of a run, with counts (for the filter menus). */
export function regionFacets(
  db: Db,
  runId: number,
): {
  transitions: { from: string; to: string; count: number }[];
  reviewStates: Record<ReviewState, number>;
} {
  const transitions = db
    .prepare(
      `SELECT from_class AS "from", to_class AS "to", COUNT(*) AS count FROM change_regions
       WHERE run_id = ? AND from_class IS NOT NULL AND to_class IS NOT NULL GROUP BY from_class, to_class ORDER BY count DESC`,
    )
    .all(runId) as { from: string; to: string; count: number }[];
  const reviewStates = { unreviewed: 0, confirmed: 0, rejected: 0 };
  for (const r of db
    .prepare(
      'SELECT review_state AS s, COUNT(*) AS n FROM change_regions WHERE run_id = ? GROUP BY review_state',
    )
    .all(runId) as { s: ReviewState; n: number }[])
    reviewStates[r.s] = r.n;
  return { transitions, reviewStates };
}
