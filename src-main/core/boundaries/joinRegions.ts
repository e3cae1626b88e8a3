// The join of change regions to boundary features (parcels, districts): every overlap of a region with a feature,
// and for every region the feature it overlaps most. Candidates come
// from a packed R-tree over the features (flatbush); each candidate pair is clipped exactly (overlapArea), so areas
// are true overlaps, not bounding-box guesses. Both sides arrive in the run's grid CRS; a region's planar overlap
// becomes ground m² with the region's own areal scale, so a region wholly inside a feature counts its full area.
import Flatbush from 'flatbush';
import { envelopeOf, type FlatMultiPolygon } from '../geo/gpkgGeometry';
import { overlapArea, overlapSide, type OverlapSide } from './overlapArea';

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

/** Every overlap of a region with a feature, region by region; per-feature figures are sums over them. */
export async function joinRegionsToFeatures(
  features: readonly JoinFeature[],
  regions: readonly JoinRegion[],
  options: JoinOptions = {},
): Promise<RegionOverlap[]> {
  const batch = options.batch ?? 2000;
  const index = new Flatbush(Math.max(1, features.length));
  const sides: OverlapSide[] = [];
  for (const f of features) {
    const e = envelopeOf(f.geometry);
    if (Number.isFinite(e.minX)) index.add(e.minX, e.minY, e.maxX, e.maxY);
    else index.add(Infinity, Infinity, Infinity, Infinity); // no outline: never a candidate
    sides.push(overlapSide(f.geometry));
  }
  if (features.length === 0) index.add(Infinity, Infinity, Infinity, Infinity);
  index.finish();

  const overlaps: RegionOverlap[] = [];
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
    const side = overlapSide(region.geometry);
    const first = overlaps.length;
    let best = -1;
    for (const k of candidates) {
      const overlapM2 = overlapArea(sides[k], side) * region.areaScale;
      if (!(overlapM2 > 0)) continue;
      overlaps.push({ regionFid: region.fid, featureId: features[k].id, overlapM2, largest: false });
      const b = best < 0 ? null : overlaps[best];
      // Ties go to the lower feature id, so the answer does not depend on the index's order.
      if (!b || overlapM2 > b.overlapM2 || (overlapM2 === b.overlapM2 && features[k].id < b.featureId))
        best = overlaps.length - 1;
    }
    if (best >= first && best >= 0) overlaps[best].largest = true;
  }
  options.onProgress?.(regions.length, regions.length);
  return overlaps;
}
