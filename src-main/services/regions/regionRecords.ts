// The change_regions table as the rest of the app sees it: rows in, rows out, review state.
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import type { FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { REVIEW_STATES, type ReviewState } from '../../core/regions/reviewState';
import { decodeStoredOutline, parseStoredJson } from '../project/storedValues';

type Db = Database.Database;

export interface LandCoverCall {
  /** Planner-facing land-cover class, or "uncertain" when the classifier's top probability is too low. */
  label: string;
  confidence: number;
  top3: { label: string; p: number }[];
}

export interface ChangeRegionSummary {
  fid: number;
  runId: number;
  pixelCount: number;
  areaM2: number;
  areaHa: number;
  perimeterM: number;
  probMean: number;
  probMax: number;
  /** Centroid in the run's grid CRS and in WGS 84. */
  centroid: { x: number; y: number; lon: number; lat: number };
  /** Bounding box in the run's grid CRS. */
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  from: LandCoverCall | null;
  to: LandCoverCall | null;
  /** "forest -> bare/construction", or null before classification. */
  transition: string | null;
  /** One line a planner reads: "forest 0.91 -> bare/construction 0.84" (or the area and probability). */
  description: string;
  reviewState: ReviewState;
  note: string;
}

export interface RegionRow {
  fid: number;
  run_id: number;
  pixel_count: number;
  area_m2: number;
  perimeter_m: number;
  prob_mean: number;
  prob_max: number;
  centroid_x: number;
  centroid_y: number;
  centroid_lon: number;
  centroid_lat: number;
  bbox_min_x: number;
  bbox_min_y: number;
  bbox_max_x: number;
  bbox_max_y: number;
  from_class: string | null;
  from_conf: number | null;
  to_class: string | null;
  to_conf: number | null;
  from_top3: string | null;
  to_top3: string | null;
  review_state: ReviewState;
  note: string;
}

export const SUMMARY_COLUMNS =
  'fid, run_id, pixel_count, area_m2, perimeter_m, prob_mean, prob_max, centroid_x, centroid_y, centroid_lon, ' +
  'centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, from_class, from_conf, to_class, to_conf, ' +
  'from_top3, to_top3, review_state, note';

function call(label: string | null, conf: number | null, top3: string | null): LandCoverCall | null {
  if (label === null || conf === null) return null;
  return { label, confidence: conf, top3: top3 ? parseTop3(top3) : [] };
}

/** A region's stored top-3 land-cover classes; damaged JSON or another shape is PROJECT_CORRUPT (found by the fuzzer). */
function parseTop3(text: string): LandCoverCall['top3'] {
  const value = parseStoredJson<unknown>(text, "regions' land-cover classes");
  const ok =
    Array.isArray(value) &&
    value.every(
      (c: { label?: unknown; p?: unknown }) => typeof c?.label === 'string' && typeof c.p === 'number',
    );
  if (!ok)
    throw new ChangeMapError(
      'PROJECT_CORRUPT',
      "The project's regions' land-cover classes are damaged (not a list of classes), so they cannot be read; the file was left as it is. Open a backup of the project, or find the regions again.",
    );
  return value as LandCoverCall['top3'];
}

export function toSummary(r: RegionRow): ChangeRegionSummary {
  const from = call(r.from_class, r.from_conf, r.from_top3);
  const to = call(r.to_class, r.to_conf, r.to_top3);
  const transition = from && to ? `${from.label} -> ${to.label}` : null;
  const description =
    from && to
      ? `${from.label} ${from.confidence.toFixed(2)} -> ${to.label} ${to.confidence.toFixed(2)}`
      : `${(r.area_m2 / 10_000).toFixed(2)} ha, change probability ${r.prob_mean.toFixed(2)}`;
  return {
    fid: r.fid,
    runId: r.run_id,
    pixelCount: r.pixel_count,
    areaM2: r.area_m2,
    areaHa: r.area_m2 / 10_000,
    perimeterM: r.perimeter_m,
    probMean: r.prob_mean,
    probMax: r.prob_max,
    centroid: { x: r.centroid_x, y: r.centroid_y, lon: r.centroid_lon, lat: r.centroid_lat },
    bbox: { minX: r.bbox_min_x, minY: r.bbox_min_y, maxX: r.bbox_max_x, maxY: r.bbox_max_y },
    from,
    to,
    transition,
    description,
    reviewState: r.review_state,
    note: r.note,
  };
}

/** One region with its outline in WGS 84 (lon/lat) and in the grid CRS. */
export function getRegion(
  db: Db,
  fid: number,
): ChangeRegionSummary & { outlineLonLat: FlatMultiPolygon; outlineGrid: FlatMultiPolygon } {
  const row = db
    .prepare(`SELECT ${SUMMARY_COLUMNS}, geom, geom_grid FROM change_regions WHERE fid = ?`)
    .get(fid) as (RegionRow & { geom: Uint8Array | null; geom_grid: Uint8Array | null }) | undefined;
  if (!row) throw new ChangeMapError('REGION_NOT_FOUND', `There is no change region number ${fid}.`);
  return {
    ...toSummary(row),
    outlineLonLat: row.geom ? decodeStoredOutline(row.geom).geometry : [],
    outlineGrid: row.geom_grid ? decodeStoredOutline(row.geom_grid).geometry : [],
  };
}

/** Confirm, reject or reset a region, with an optional note (kept as is when omitted). */
export function setReview(db: Db, fid: number, state: ReviewState, note?: string): ChangeRegionSummary {
  if (!REVIEW_STATES.includes(state))
    throw new ChangeMapError(
      'REGIONS_BAD_REVIEW_STATE',
      `A review is one of ${REVIEW_STATES.join(', ')} (got ${state}).`,
    );
  if (note !== undefined && note.length > 10_000)
    throw new ChangeMapError('REGIONS_NOTE_TOO_LONG', 'A note may hold at most 10,000 characters.');
  const changed = db
    .prepare('UPDATE change_regions SET review_state = ?, note = COALESCE(?, note) WHERE fid = ?')
    .run(state, note ?? null, fid).changes;
  if (changed === 0) throw new ChangeMapError('REGION_NOT_FOUND', `There is no change region number ${fid}.`);
  const row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM change_regions WHERE fid = ?`).get(fid) as RegionRow;
  return toSummary(row);
}

export interface RegionFeature {
  type: 'Feature';
  id: number;
  geometry: { type: 'MultiPolygon'; coordinates: number[][][][] };
  properties: {
    fid: number;
    areaM2: number;
    probMean: number;
    reviewState: ReviewState;
    transition: string | null;
  };
}

/**
 * Outlines of a run's regions in WGS 84 as GeoJSON features, for the map: optionally only those whose centroid
 * lies in a lon/lat box, largest first, at most `limit` (default 5,000) so a view never pulls 100,000 outlines.
 */
export function regionFeatures(
  db: Db,
  runId: number,
  options: { bbox?: [number, number, number, number]; limit?: number } = {},
): RegionFeature[] {
  const [w, s, e, n] = options.bbox ?? [-180, -90, 180, 90];
  const rows = db
    .prepare(
      `SELECT fid, area_m2, prob_mean, review_state, from_class, to_class, geom FROM change_regions
       WHERE run_id = ? AND centroid_lon BETWEEN ? AND ? AND centroid_lat BETWEEN ? AND ? AND geom IS NOT NULL
       ORDER BY area_m2 DESC LIMIT ?`,
    )
    .all(runId, w, e, s, n, Math.max(1, Math.min(100_000, options.limit ?? 5000))) as {
    fid: number;
    area_m2: number;
    prob_mean: number;
    review_state: ReviewState;
    from_class: string | null;
    to_class: string | null;
    geom: Uint8Array;
  }[];
  return rows.map((r) => ({
    type: 'Feature',
    id: r.fid,
    geometry: {
      type: 'MultiPolygon',
      coordinates: decodeStoredOutline(r.geom).geometry.map((polygon) =>
        polygon.map((ring) => {
          const pts: number[][] = [];
          for (let i = 0; i + 1 < ring.length; i += 2) pts.push([ring[i], ring[i + 1]]);
          return pts;
        }),
      ),
    },
    properties: {
      fid: r.fid,
      areaM2: r.area_m2,
      probMean: r.prob_mean,
      reviewState: r.review_state,
      transition: r.from_class && r.to_class ? `${r.from_class} -> ${r.to_class}` : null,
    },
  }));
}
