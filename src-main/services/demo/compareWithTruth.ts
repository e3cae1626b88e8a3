// Compares a run's regions with the sample scene's planted changes (truth.json + truth.tif): what was detected,
// missed, and what the regions claim that did not happen. The sample scene is small (about 2000² px), so label
// images of the whole scene are fine here; this is a demo and evaluation tool, not the scene-scale pipeline.
import { readFileSync } from 'node:fs';
import { rasterizeOutline } from '../../core/regions/rasterizeOutline';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { mapPoints } from '../../core/geo/rings';
import {
  judgeTransitions,
  matchTruth,
  pixelScores,
  type Transition,
  type TransitionVerdict,
  type TruthMatch,
} from '../../core/evaluation/truthMatch';
import { openGeoTiff } from '../imagery/geotiffSource';
import type { Db } from '../project/projectStore';
import type { SampleSceneTruthDocument } from '../sampleScene/writeSampleScene';

export interface TruthComparison extends TruthMatch {
  pixels: ReturnType<typeof pixelScores>;
  plantedKinds: Map<number, { kind: string; from: string; to: string; areaM2: number }>;
  /** Per planted change: the transition the region that found it names, and whether it is the planted one. */
  transitions: TransitionVerdict[];
  /** Planted changes found with the right from and to classes. */
  rightTransitions: number;
  /** Ground area (m²) of each region, by id. */
  regionAreaM2: Map<number, number>;
}

export async function compareWithTruth(
  db: Db,
  runId: number,
  truthJsonPath: string,
  truthTifPath: string,
): Promise<TruthComparison> {
  const doc = JSON.parse(readFileSync(truthJsonPath, 'utf8')) as SampleSceneTruthDocument;
  const { width, height } = doc;
  const gt = doc.geoTransform;
  const whole = { x: 0, y: 0, width, height };

  const planted = new Int32Array(width * height);
  for (const change of doc.changes) {
    const ring = Float64Array.from(change.polygonPx.flat());
    const inside = rasterizeOutline([[ring]], whole);
    for (let i = 0; i < inside.length; i++) if (inside[i]) planted[i] = change.id;
  }

  const regionLabels = new Int32Array(width * height);
  const rows = db
    .prepare('SELECT fid, geom_grid, area_m2, from_class, to_class FROM change_regions WHERE run_id = ?')
    .all(runId) as {
    fid: number;
    geom_grid: Uint8Array;
    area_m2: number;
    from_class: string | null;
    to_class: string | null;
  }[];
  for (const row of rows) {
    const grid = decodeGpkgMultiPolygon(row.geom_grid).geometry;
    // grid CRS -> pixel coordinates (north-up grid: no rotation terms)
    const px = mapPoints(grid, (x, y) => [(x - gt[0]) / gt[1], (y - gt[3]) / gt[5]]);
    const inside = rasterizeOutline(px, whole);
    for (let i = 0; i < inside.length; i++) if (inside[i]) regionLabels[i] = row.fid;
  }

  const truthRaster = await openGeoTiff(truthTifPath);
  const { data } = await truthRaster.readWindow(whole, { bands: [0] });
  await truthRaster.close();
  const truth = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));

  const match = matchTruth(planted, regionLabels, truth);
  const predicted = Uint8Array.from(regionLabels, (r) => (r ? 1 : 0));
  const expected = new Map<number, Transition>(doc.changes.map((c) => [c.id, { from: c.from, to: c.to }]));
  const found = new Map<number, Transition>(rows.map((r) => [r.fid, { from: r.from_class, to: r.to_class }]));
  const judged = judgeTransitions(match, expected, found);
  return {
    ...match,
    transitions: judged.verdicts,
    rightTransitions: judged.right,
    regionAreaM2: new Map(rows.map((r) => [r.fid, r.area_m2])),
    pixels: pixelScores(predicted, truth),
    plantedKinds: new Map(
      doc.changes.map((c) => [c.id, { kind: c.kind, from: c.from, to: c.to, areaM2: c.areaM2 }]),
    ),
  };
}
