// Which sample points lie in which features of a boundary layer (WGS 84 outlines, even-odd over their rings),
// through a packed index of the features' boxes.
import type Database from 'better-sqlite3';
import Flatbush from 'flatbush';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { pointInRing } from '../../core/geo/rings';

interface FeatureRow {
  fid: number;
  label: string;
  geom: Uint8Array | null;
  bbox_min_lon: number;
  bbox_min_lat: number;
  bbox_max_lon: number;
  bbox_max_lat: number;
}

/** The features holding at least one point, in label order, with the indexes of the points inside each. */
export function pointsInFeatures(
  db: Database.Database,
  layerId: number,
  points: readonly { lon: number; lat: number }[],
): { fid: number; label: string; inside: Set<number> }[] {
  const features = db
    .prepare(
      `SELECT fid, label, geom, bbox_min_lon, bbox_min_lat, bbox_max_lon, bbox_max_lat
       FROM boundary_features WHERE layer_id = ? ORDER BY label, fid`,
    )
    .all(layerId) as FeatureRow[];
  if (features.length === 0 || points.length === 0) return [];
  const index = new Flatbush(features.length);
  for (const f of features) index.add(f.bbox_min_lon, f.bbox_min_lat, f.bbox_max_lon, f.bbox_max_lat);
  index.finish();
  const inside = new Map<number, Set<number>>();
  points.forEach((p, i) => {
    for (const k of index.search(p.lon, p.lat, p.lon, p.lat)) {
      const geom = features[k].geom;
      if (!geom) continue;
      let hit = false;
      for (const polygon of decodeGpkgMultiPolygon(geom).geometry)
        for (const ring of polygon) if (pointInRing(ring, p.lon, p.lat)) hit = !hit;
      if (hit) (inside.get(k) ?? inside.set(k, new Set()).get(k)!).add(i);
    }
  });
  return [...inside.entries()]
    .sort(([a], [b]) => a - b)
    .map(([k, set]) => ({ fid: features[k].fid, label: features[k].label, inside: set }));
}
