// Two sets of regions compared by geometry: which regions of A overlap a region of B (in both), and which overlap
// none (only in A, only in B). Candidates come from a flatbush index of bounding boxes; polyclip-ts (a maintained
// Martinez-Rueda-Feito boolean-operations library) decides whether two candidate outlines truly share area, so
// regions whose boxes overlap but whose outlines only come near, or touch along an edge, count as apart.
import Flatbush from 'flatbush';
import { intersection } from 'polyclip-ts';
import { envelopeOf, type FlatMultiPolygon } from '../geo/gpkgGeometry';
import { nestedMultiPolygon, planarArea } from '../geo/rings';

export interface ComparedRegion {
  id: number;
  /** The outline, in any planar coordinates both sets share (WGS 84 degrees will do: only ratios are used). */
  outline: FlatMultiPolygon;
}

export interface RegionSetComparison {
  onlyA: number[];
  onlyB: number[];
  bothA: number[];
  bothB: number[];
}

/**
 * Shared area below this share of the smaller outline is rounding along a common edge, not overlap (two runs on
 * different grids trace the same boundary a hair apart).
 */
export const MIN_OVERLAP_SHARE = 1e-3;

function nestedArea(mp: [number, number][][][]): number {
  return planarArea(mp.map((polygon) => polygon.map((ring) => ring.flat())));
}

/** Whether two outlines share more area than MIN_OVERLAP_SHARE of the smaller one. */
export function outlinesOverlap(a: FlatMultiPolygon, b: FlatMultiPolygon): boolean {
  const shared = nestedArea(intersection(nestedMultiPolygon(a), nestedMultiPolygon(b)));
  const smaller = Math.min(Math.abs(planarArea(a)), Math.abs(planarArea(b)));
  return shared > 0 && shared >= MIN_OVERLAP_SHARE * smaller;
}

export function compareRegionSets(
  a: readonly ComparedRegion[],
  b: readonly ComparedRegion[],
): RegionSetComparison {
  const matchedB = new Set<number>();
  const onlyA: number[] = [];
  const bothA: number[] = [];
  if (b.length > 0) {
    const index = new Flatbush(b.length);
    for (const r of b) {
      const box = envelopeOf(r.outline);
      index.add(box.minX, box.minY, box.maxX, box.maxY);
    }
    index.finish();
    for (const region of a) {
      const { minX, minY, maxX, maxY } = envelopeOf(region.outline);
      let overlaps = false;
      for (const i of index.search(minX, minY, maxX, maxY)) {
        if (!outlinesOverlap(region.outline, b[i].outline)) continue;
        overlaps = true;
        matchedB.add(i);
      }
      (overlaps ? bothA : onlyA).push(region.id);
    }
  } else {
    onlyA.push(...a.map((r) => r.id));
  }
  const bothB: number[] = [];
  const onlyB: number[] = [];
  b.forEach((r, i) => (matchedB.has(i) ? bothB : onlyB).push(r.id));
  return { onlyA, onlyB, bothA, bothB };
}
