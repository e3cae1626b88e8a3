// The run history: every run of the project with the dates it compared (where they stand in the series now), its
// model, region settings and region count, oldest first.
import type { RegionSettings, RunDate, RunHistoryEntry } from '../../ipc/contract';
import type { Db } from '../project/projectStore';
import type { RunRecord } from './runTypes';
import { runSummary } from './runView';

export function runHistory(
  db: Db,
  runs: readonly RunRecord[],
  settingsOf: (runId: number) => RegionSettings,
): RunHistoryEntry[] {
  const dates = db.prepare('SELECT id, acquired_at FROM cm_imagery_sets ORDER BY position, id').all() as {
    id: number;
    acquired_at: string | null;
  }[];
  const dateOf = (id: number | null): RunDate | null => {
    const index = dates.findIndex((d) => d.id === id);
    return index < 0 ? null : { id: dates[index].id, acquiredAt: dates[index].acquired_at, index: index + 1 };
  };
  const counts = new Map(
    (
      db.prepare('SELECT run_id, count(*) AS n FROM change_regions GROUP BY run_id').all() as {
        run_id: number;
        n: number;
      }[]
    ).map((r) => [r.run_id, r.n]),
  );
  // A run whose regions were found has its settings saved (regions/regionSettings.ts), even with no region.
  const found = new Set(
    (db.prepare("SELECT id FROM cm_runs WHERE region_settings <> '{}'").all() as { id: number }[]).map(
      (r) => r.id,
    ),
  );
  return runs.map((run) => ({
    ...runSummary(run),
    from: dateOf(run.dates.from),
    to: dateOf(run.dates.to),
    regionSettings: settingsOf(run.id),
    regionCount: counts.get(run.id) ?? (found.has(run.id) ? 0 : null),
    area: run.params.aoi ? 'area' : 'whole',
  }));
}
