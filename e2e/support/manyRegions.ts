// Fills a run with synthetic change regions straight into the project file (the schema's own table), to check
// that the region list stays fast with 100,000 of them; finding that many through a run would need a huge scene.
import Database from 'better-sqlite3';

const CLASSES = [
  'cropland',
  'grassland',
  'forest',
  'residential',
  'industrial',
  'bare/construction',
  'uncertain',
];

export function insertSyntheticRegions(projectFile: string, runId: number, count: number, seed = 1): void {
  const db = new Database(projectFile);
  try {
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare(
      `INSERT INTO change_regions (run_id, pixel_count, area_m2, perimeter_m, prob_mean, prob_max, centroid_x,
         centroid_y, centroid_lon, centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, from_class, from_conf,
         to_class, to_conf)
       VALUES (@run, @px, @area, @perim, @pm, @pmax, 0, 0, @lon, @lat, 0, 0, 1, 1, @from, @fc, @to, @tc)`,
    );
    let state = seed >>> 0;
    const random = (): number => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const px = 1 + Math.floor(random() ** 3 * 2000);
        const pm = 0.5 + random() * 0.5;
        insert.run({
          run: runId,
          px,
          area: px * 9,
          perim: Math.sqrt(px) * 12,
          pm,
          pmax: Math.min(1, pm + 0.1),
          lon: 15.6 + random() * 0.2,
          lat: 48.2 + random() * 0.2,
          from: CLASSES[Math.floor(random() * CLASSES.length)],
          fc: random(),
          to: CLASSES[Math.floor(random() * CLASSES.length)],
          tc: random(),
        });
      }
    })();
  } finally {
    db.close();
  }
}
