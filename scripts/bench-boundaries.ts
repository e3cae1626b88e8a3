// Benchmark: the join of change regions to a boundary layer (issue 14): 100,000 parcels against 100,000 regions
// (target < 10 s), through the services' own join (read, reproject, index, exact clipping, store every overlap),
// then the attribute table's figures. Parcels: a jittered 20 m grid (convex quadrilaterals, every 7th an L, so both
// clipping paths run); regions: ragged 12-point stars 6-20 m across, a few parcels each, in UTM 33N.
// Run: npm run bench -- boundaries [--count 100000]
import os from 'node:os';
import { encodeGpkgMultiPolygon } from '../src-main/core/geo/gpkgGeometry';
import { planarArea } from '../src-main/core/geo/rings';
import { SAMPLE_SCENE_CRS } from '../src-main/core/sampleScene/generateSampleScene';
import { createRandom } from '../src-main/core/sampleScene/random';
import { joinBoundaryLayer } from '../src-main/services/boundaries/boundaryJoin';
import { addBoundaryLayer } from '../src-main/services/boundaries/boundaryLayers';
import { featureChangePage, featureChangeRows } from '../src-main/services/boundaries/featureChange';
import type { BoundaryFileFeature } from '../src-main/services/boundaries/readBoundaryFile';
import { openMemoryProjectDb } from '../src-main/services/project/memoryDb';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const count = Number(arg('count', '100000'));
const side = Math.ceil(Math.sqrt(count));
const step = 20;
const [x0, y0] = [551_000, 5_353_200];
const random = createRandom(14);
const ring = (pts: [number, number][]): Float64Array => Float64Array.from([...pts, pts[0]].flat());

const db = openMemoryProjectDb();
const grid = {
  width: Math.ceil((side * step) / 3),
  height: Math.ceil((side * step) / 3),
  geoTransform: [x0, 3, 0, y0, 0, -3] as [number, number, number, number, number, number],
  crs: { ...SAMPLE_SCENE_CRS },
};
const runId = Number(
  db
    .prepare(
      `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
       VALUES ('done', 'bench', '1', '', 'cpu', ?)`,
    )
    .run(JSON.stringify({ grid })).lastInsertRowid,
);

let t = performance.now();
const corner = Array.from({ length: side + 1 }, (_, i) =>
  Array.from({ length: side + 1 }, (_, j): [number, number] => [
    x0 + i * step + (random.next() - 0.5) * 6,
    y0 - j * step + (random.next() - 0.5) * 6,
  ]),
);
const parcels: BoundaryFileFeature[] = [];
for (let i = 0; i < side && parcels.length < count; i++)
  for (let j = 0; j < side && parcels.length < count; j++) {
    const [a, b, c, d] = [corner[i][j], corner[i + 1][j], corner[i + 1][j + 1], corner[i][j + 1]];
    const centre: [number, number] = [(a[0] + c[0]) / 2, (a[1] + c[1]) / 2];
    const pts: [number, number][] =
      (i + j) % 7 === 3 ? [a, d, c, [c[0], centre[1]], centre, [centre[0], a[1]]] : [a, d, c, b];
    parcels.push({ key: `${i}-${j}`, properties: { parcel: `${i}-${j}` }, geometry: [[ring(pts)]] });
  }
addBoundaryLayer(
  db,
  {
    format: 'geojson',
    layerName: 'parcels',
    crs: { ...SAMPLE_SCENE_CRS },
    fields: [{ name: 'parcel', type: 'text' }],
    features: parcels,
    skippedEmpty: 0,
  },
  { source: 'bench', labelField: 'parcel' },
);
const addSeconds = (performance.now() - t) / 1000;

t = performance.now();
const insert =
  db.prepare(`INSERT INTO change_regions (run_id, pixel_count, area_m2, perimeter_m, prob_mean, prob_max,
  centroid_x, centroid_y, centroid_lon, centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, from_class,
  to_class, review_state, geom_grid) VALUES (?, ?, ?, 0, 0.5, 0.9, ?, ?, 0, 0, 0, 0, 0, 0, ?, ?, ?, ?)`);
const classes = ['cropland', 'forest', 'residential', 'bare'];
db.transaction(() => {
  for (let r = 0; r < count; r++) {
    const cx = x0 + random.next() * side * step;
    const cy = y0 - random.next() * side * step;
    const radius = 3 + random.next() * 7;
    const pts: [number, number][] = [];
    for (let k = 0; k < 12; k++) {
      const a = (2 * Math.PI * k) / 12;
      const rr = radius * (k % 2 ? 0.6 + 0.3 * random.next() : 1);
      pts.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
    }
    const geometry = [[ring(pts)]];
    const area = planarArea(geometry);
    insert.run(
      runId,
      Math.max(1, Math.round(area / 9)),
      Math.max(1, Math.round(area / 9)) * 9 * 1.0007,
      cx,
      cy,
      classes[r % 4],
      classes[(r + 1) % 4],
      r % 10 === 0 ? 'rejected' : 'unreviewed',
      encodeGpkgMultiPolygon(geometry, 32633),
    );
  }
})();
const regionsSeconds = (performance.now() - t) / 1000;

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const loadBefore = load();
const cpuBefore = process.cpuUsage();
const join = await joinBoundaryLayer(db, 1, runId);
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const loadAfter = load();
t = performance.now();
const rows = featureChangeRows(db, 1, runId);
const tableSeconds = (performance.now() - t) / 1000;
t = performance.now();
featureChangePage(db, { layerId: 1, runId, sort: 'changed', descending: true, limit: 200 });
const pageSeconds = (performance.now() - t) / 1000;
const overlaps = (db.prepare('SELECT COUNT(*) AS n FROM cm_region_overlaps').get() as { n: number }).n;

console.log(
  `setup: ${parcels.length.toLocaleString('en')} parcels added in ${addSeconds.toFixed(1)} s (read from memory, reprojected to WGS 84, geodesic areas), ${count.toLocaleString('en')} regions stored in ${regionsSeconds.toFixed(1)} s`,
);
console.log(
  `join: ${join.features.toLocaleString('en')} parcels x ${join.regionsTotal.toLocaleString('en')} regions in ${join.seconds.toFixed(2)} s (target < 10 s), ` +
    `${overlaps.toLocaleString('en')} overlaps stored, ${join.regionsJoined.toLocaleString('en')} regions joined; ` +
    `CPU time ${cpuSeconds.toFixed(2)} s (what an idle core would take; wall time grows with the load); load average ${loadBefore} before, ${loadAfter} after`,
);
console.log(
  `attribute table: every parcel's figures in ${tableSeconds.toFixed(2)} s (${rows.length.toLocaleString('en')} rows); one page sorted by changed area in ${pageSeconds.toFixed(2)} s`,
);
