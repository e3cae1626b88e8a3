// The join of change regions to boundary features (parcels, districts): every overlap of a region with a feature,
// and for every region the feature it overlaps most. Each feature is cut once into convex pieces (overlapArea
// convexPieces); candidates come from a packed R-tree over the pieces (flatbush) and each is clipped exactly, so
// areas are true overlaps, not bounding-box guesses. Both sides arrive in the run's grid CRS; a region's planar overlap
// becomes ground m² with the region's own areal scale, so a region wholly inside a feature counts its full area.
import Flatbush from 'flatbush';
import { envelopeOf, type FlatMultiPolygon } from '../geo/gpkgGeometry';
import { planarArea as planarAreaOf } from '../geo/rings';
import {
  clippedMultiPolygonArea,
  convexPieces,
  overlapArea,
  overlapSide,
  type ConvexPiece,
  type OverlapSide,
} from './overlapArea';

export interface JoinFeature {
  id: number;
  /** Outline in the run's grid CRS. */
  geometry: FlatMultiPolygon;
}

export interface JoinRegion {
  fid: number;
  /** Outline in the run's grid CRS. */
  geometry: FlatMultiPolygon;
  /** Ground m² per planar unit² of the grid CRS at this region (services/regions/groundArea regionAreaScale). */
  areaScale: number;
}

/** One region's overlap with one feature. */
export interface RegionOverlap {
  regionFid: number;
  featureId: number;
  /** Ground area of the overlap, m². */
  overlapM2: number;
  /** This is the feature the region overlaps most (ties: the lower feature id). */
  largest: boolean;
}

export interface JoinOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Regions between two yields to the event loop (progress events, cancellation, other calls). */
  batch?: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** What the index holds: a convex piece of a feature, or a whole feature for the general clipper. */
type IndexEntry =
  { feature: number; piece: ConvexPiece; side: null } | { feature: number; piece: null; side: OverlapSide };

/** Every overlap of a region with a feature, region by region; per-feature figures are sums over them. */
export async function joinRegionsToFeatures(
  features: readonly JoinFeature[],
  regions: readonly JoinRegion[],
  options: JoinOptions = {},
): Promise<RegionOverlap[]> {
  const batch = options.batch ?? 2000;
  const entries: IndexEntry[] = [];
  const boxes: number[] = [];
  features.forEach((f, k) => {
    const pieces = convexPieces(f.geometry);
    if (pieces)
      for (const piece of pieces) {
        entries.push({ feature: k, piece, side: null });
        boxes.push(piece.minX, piece.minY, piece.maxX, piece.maxY);
      }
    else {
      const e = envelopeOf(f.geometry);
      if (!Number.isFinite(e.minX)) return;
      entries.push({ feature: k, piece: null, side: overlapSide(f.geometry) });
      boxes.push(e.minX, e.minY, e.maxX, e.maxY);
    }
  });
  const index = new Flatbush(Math.max(1, entries.length));
  for (let i = 0; i < boxes.length; i += 4) index.add(boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]);
  if (entries.length === 0) index.add(Infinity, Infinity, Infinity, Infinity);
  index.finish();

  const overlaps: RegionOverlap[] = [];
  const planar = new Map<number, number>();
  for (let r = 0; r < regions.length; r++) {
    if (r > 0 && r % batch === 0) {
      options.onProgress?.(r, regions.length);
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
    }
    const region = regions[r];
    const e = envelopeOf(region.geometry);
    if (!Number.isFinite(e.minX)) continue;
    const candidates = index.search(e.minX, e.minY, e.maxX, e.maxY);
    if (candidates.length === 0) continue;
    planar.clear();
    let side: OverlapSide | null = null;
    for (const c of candidates) {
      const entry = entries[c];
      const area = entry.piece
        ? entry.piece.sign * clippedMultiPolygonArea(region.geometry, entry.piece.window)
        : overlapArea(entry.side, (side ??= overlapSide(region.geometry)) as OverlapSide);
      planar.set(entry.feature, (planar.get(entry.feature) ?? 0) + area);
    }
    // Shell and hole pieces cancel to rounding where a region lies in a hole: such crumbs are no overlap.
    const regionArea = Math.abs(planarAreaOf(region.geometry));
    let best: RegionOverlap | null = null;
    for (const [k, area] of planar) {
      if (!(area > 1e-9 * regionArea)) continue;
      const o: RegionOverlap = {
        regionFid: region.fid,
        featureId: features[k].id,
        overlapM2: area * region.areaScale,
        largest: false,
      };
      overlaps.push(o);
      // Ties go to the lower feature id, so the answer does not depend on the index's order.
      if (
        !best ||
        o.overlapM2 > best.overlapM2 ||
        (o.overlapM2 === best.overlapM2 && o.featureId < best.featureId)
      )
        best = o;
    }
    if (best) best.largest = true;
  }
  options.onProgress?.(regions.length, regions.length);
  return overlaps;
}
