// Reviews survive a change of threshold, clean-up or minimum area.
//
// Rule: before the run's regions are replaced, every reviewed region (confirmed, rejected, or with a note) is
// read back with its stored outline. Each new region takes the review of the old region it overlaps most,
// when the overlap (pixel centres inside both outlines) is at least half of the smaller of the two regions.
// So a region that grows or shrinks a little keeps its review; a confirmed region that splits in two at a
// higher threshold passes the review to both halves; regions that merge take the review of the old region
// covering most of them. An old review that matches nothing is dropped (its region is gone) and counted.
import { decodeStoredOutline } from '../project/storedValues';
import type Database from 'better-sqlite3';
import { envelopeOf, type FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import type { GridSpec } from '../../core/raster/types';
import type { FoundRegion } from '../../core/regions/findRegions';
import { mapPoints } from '../../core/geo/rings';
import { gridToPixel } from '../../core/raster/geoTransform';
import { rasterizeOutline } from '../../core/regions/rasterizeOutline';
import type { ReviewState } from '../../core/regions/reviewState';

type Db = Database.Database;

export interface PreviousReview {
  fid: number;
  state: ReviewState;
  note: string;
  pixelCount: number;
  /** Stored (simplified) outline, in pixel coordinates of the grid. */
  outline: FlatMultiPolygon;
  minCol: number;
  minRow: number;
  maxCol: number;
  maxRow: number;
}

export function readReviewedRegions(db: Db, runId: number, grid: GridSpec): PreviousReview[] {
  const rows = db
    .prepare(
      `SELECT fid, review_state, note, pixel_count, geom_grid FROM change_regions
       WHERE run_id = ? AND (review_state <> 'unreviewed' OR note <> '') AND geom_grid IS NOT NULL`,
    )
    .all(runId) as {
    fid: number;
    review_state: ReviewState;
    note: string;
    pixel_count: number;
    geom_grid: Uint8Array;
  }[];
  return rows.map((r) => {
    const outline = mapPoints(decodeStoredOutline(r.geom_grid).geometry, (x, y) =>
      gridToPixel(grid.geoTransform, x, y),
    );
    const env = envelopeOf(outline);
    return {
      fid: r.fid,
      state: r.review_state,
      note: r.note,
      pixelCount: r.pixel_count,
      outline,
      minCol: Math.max(0, Math.floor(env.minX)),
      minRow: Math.max(0, Math.floor(env.minY)),
      maxCol: Math.min(grid.width - 1, Math.ceil(env.maxX) - 1),
      maxRow: Math.min(grid.height - 1, Math.ceil(env.maxY) - 1),
    };
  });
}

export interface ReviewMatch {
  /** New region index -> review it inherits. */
  byRegion: Map<number, { state: ReviewState; note: string; fromFid: number }>;
  carried: number;
  dropped: number;
}

export function matchReviews(previous: PreviousReview[], regions: FoundRegion[]): ReviewMatch {
  const best = new Map<number, { overlap: number; review: PreviousReview }>();
  let dropped = 0;
  for (const old of previous) {
    let matched = false;
    for (let i = 0; i < regions.length; i++) {
      const r = regions[i];
      const x0 = Math.max(old.minCol, r.minCol);
      const y0 = Math.max(old.minRow, r.minRow);
      const x1 = Math.min(old.maxCol, r.maxCol);
      const y1 = Math.min(old.maxRow, r.maxRow);
      if (x0 > x1 || y0 > y1) continue;
      const window = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
      const a = rasterizeOutline(old.outline, window);
      const b = rasterizeOutline(r.outline, window);
      let overlap = 0;
      for (let p = 0; p < a.length; p++) overlap += a[p] & b[p];
      if (overlap < 0.5 * Math.min(old.pixelCount, r.pixelCount)) continue;
      matched = true;
      const current = best.get(i);
      if (!current || overlap > current.overlap) best.set(i, { overlap, review: old });
    }
    if (!matched) dropped++;
  }
  const byRegion = new Map<number, { state: ReviewState; note: string; fromFid: number }>();
  for (const [i, { review }] of best)
    byRegion.set(i, { state: review.state, note: review.note, fromFid: review.fid });
  return { byRegion, carried: byRegion.size, dropped };
}
