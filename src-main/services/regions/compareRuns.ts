// Two runs' regions compared by geometry (run history's "compare"): regions only in one run, only in the other, and
// in both. Outlines are compared in WGS 84, the one CRS every run's regions share whatever its grid.
import { ChangeMapError } from '../../core/errors';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { compareRegionSets, type ComparedRegion } from '../../core/regions/compareRegionSets';
import type { RunComparison } from '../../ipc/contract';
import type { Db } from '../project/projectStore';

function regionsOf(db: Db, runId: number): ComparedRegion[] {
  if (!db.prepare('SELECT 1 FROM cm_runs WHERE id = ?').get(runId))
    throw new ChangeMapError('RUN_NOT_FOUND', `There is no run ${runId} in this project.`);
  const rows = db
    .prepare('SELECT fid, geom FROM change_regions WHERE run_id = ? AND geom IS NOT NULL ORDER BY fid')
    .all(runId) as { fid: number; geom: Uint8Array }[];
  return rows.map((r) => ({ id: r.fid, outline: decodeGpkgMultiPolygon(r.geom).geometry }));
}

export function compareRuns(db: Db, runA: number, runB: number): RunComparison {
  if (runA === runB) throw new ChangeMapError('RUN_COMPARE_SAME', 'Pick two different runs to compare.');
  return { runA, runB, ...compareRegionSets(regionsOf(db, runA), regionsOf(db, runB)) };
}
