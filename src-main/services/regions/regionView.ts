// Turns region records into what the API shows: list rows, and a region's detail with its outline in WGS 84.
import { nestedMultiPolygon } from '../../core/geo/rings';
import type { RegionDetail, RegionRow } from '../../ipc/contract';
import type { ChangeRegionSummary } from './regionRecords';

export function regionRow(r: ChangeRegionSummary): RegionRow {
  return {
    fid: r.fid,
    areaM2: r.areaM2,
    probMean: r.probMean,
    probMax: r.probMax,
    centroidLon: r.centroid.lon,
    centroidLat: r.centroid.lat,
    fromClass: r.from?.label ?? null,
    fromConf: r.from?.confidence ?? null,
    toClass: r.to?.label ?? null,
    toConf: r.to?.confidence ?? null,
    reviewState: r.reviewState,
    note: r.note,
  };
}

export function regionDetail(
  r: ChangeRegionSummary & { outlineLonLat: ArrayLike<number>[][] },
): RegionDetail {
  const outline = nestedMultiPolygon(r.outlineLonLat);
  const all = outline.flat(2);
  const lons = all.map((p) => p[0]);
  const lats = all.map((p) => p[1]);
  return {
    ...regionRow(r),
    perimeterM: r.perimeterM,
    pixelCount: r.pixelCount,
    fromTop3: r.from?.top3 ?? [],
    toTop3: r.to?.top3 ?? [],
    outline,
    extent: all.length
      ? [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)]
      : [r.centroid.lon, r.centroid.lat, r.centroid.lon, r.centroid.lat],
  };
}
