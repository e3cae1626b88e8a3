// The attributes every export of change regions carries, in one table so GeoJSON, Shapefile, GeoPackage and
// CSV agree on names, types and meaning. Long names (GeoJSON, GeoPackage, CSV) are the store's column names
// where one exists; Shapefile names are at most 10 characters (a dBASE limit). Integers are 9 digits wide so
// GDAL and ArcGIS read them as 32-bit integers rather than 64-bit or real.
//
// | Attribute     | Shapefile  | Type (DBF)    | Meaning                                                         |
// |---------------|------------|---------------|-----------------------------------------------------------------|
// | id            | id         | integer N(9)  | region id in the project (change_regions.fid)                   |
// | run_id        | run_id     | integer N(9)  | run that found the region (cm_runs.id)                          |
// | area_m2       | area_m2    | real N(18,2)  | area in square metres                                           |
// | from_class    | from_class | text C(80)    | land cover at the "before" date                                 |
// | from_conf     | from_conf  | real N(9,6)   | classifier confidence of from_class, 0..1                       |
// | to_class      | to_class   | text C(80)    | land cover at the "after" date                                  |
// | to_conf       | to_conf    | real N(9,6)   | classifier confidence of to_class, 0..1                         |
// | prob_mean     | prob_mean  | real N(9,6)   | mean change probability over the region's pixels, 0..1          |
// | prob_max      | prob_max   | real N(9,6)   | highest change probability in the region, 0..1                  |
// | review_state  | review     | text C(10)    | unreviewed, confirmed or rejected                               |
// | note          | note       | text C(254)   | reviewer's note (Shapefile: cut to 254 UTF-8 bytes)             |
// | before_date   | before_dt  | date D        | acquisition date of the "before" imagery (YYYY-MM-DD)           |
// | after_date    | after_dt   | date D        | acquisition date of the "after" imagery (YYYY-MM-DD)            |
// | model_name    | model_name | text C(80)    | change model that produced the probabilities                   |
// | model_version | model_ver  | text C(40)    | its version                                                     |
// | boundary_id   | bnd_id     | text C(40)    | id (in its file) of the boundary feature the region overlaps most |
// | boundary_name | bnd_name   | text C(120)   | that feature's name (the layer's label field)                   |
//
// The boundary attributes come from the boundary layer joined to the run (the export's boundaryLayerId, else the
// last one joined); empty when none is joined or the region lies outside every feature.
//
// The same table, for people, is in README.md, "Export attributes" (keep both in step).

import type { FlatMultiPolygon } from '../geo/gpkgGeometry';
import type { ReviewState } from '../regions/reviewState';
import type { DbfField, DbfFieldSpec } from './dbf';

/** One change region as exports see it: attributes plus the outline in the export's CRS. */
export interface ExportRegion {
  id: number;
  runId: number;
  /** Null for imagery without georeference whose pixel size the user did not give. */
  areaM2: number | null;
  fromClass: string | null;
  fromConf: number | null;
  toClass: string | null;
  toConf: number | null;
  probMean: number;
  probMax: number;
  reviewState: ReviewState;
  note: string;
  /** "YYYY-MM-DD" or null when the imagery has no known date. */
  beforeDate: string | null;
  afterDate: string | null;
  modelName: string;
  modelVersion: string;
  /** Key (id in its file) and name of the boundary feature the region overlaps most; null or left out: none. */
  boundaryId?: string | null;
  boundaryName?: string | null;
  /** Centroid in WGS 84. */
  centroidLon: number;
  centroidLat: number;
  /** Centroid in the run's grid CRS. */
  centroidX: number;
  centroidY: number;
  /** Outline in the CRS the export asked for; [] when the store has none. */
  geometry: FlatMultiPolygon;
}

export type AttributeValue = string | number | null;

export interface RegionAttribute {
  /** Name in GeoJSON, GeoPackage and CSV. */
  name: string;
  /** Name in the Shapefile's .dbf (<= 10 characters). */
  shpName: string;
  kind: 'integer' | 'real' | 'text' | 'date';
  dbf: DbfField;
  value(region: ExportRegion): AttributeValue;
}

function attribute(
  name: string,
  shpName: string,
  kind: RegionAttribute['kind'],
  dbf: DbfFieldSpec,
  value: (r: ExportRegion) => AttributeValue,
): RegionAttribute {
  return { name, shpName, kind, dbf: { ...dbf, name: shpName }, value };
}

export const REGION_ATTRIBUTES: readonly RegionAttribute[] = [
  attribute('id', 'id', 'integer', { type: 'N', length: 9, decimals: 0 }, (r) => r.id),
  attribute('run_id', 'run_id', 'integer', { type: 'N', length: 9, decimals: 0 }, (r) => r.runId),
  attribute('area_m2', 'area_m2', 'real', { type: 'N', length: 18, decimals: 2 }, (r) => r.areaM2),
  attribute('from_class', 'from_class', 'text', { type: 'C', length: 80 }, (r) => r.fromClass),
  attribute('from_conf', 'from_conf', 'real', { type: 'N', length: 9, decimals: 6 }, (r) => r.fromConf),
  attribute('to_class', 'to_class', 'text', { type: 'C', length: 80 }, (r) => r.toClass),
  attribute('to_conf', 'to_conf', 'real', { type: 'N', length: 9, decimals: 6 }, (r) => r.toConf),
  attribute('prob_mean', 'prob_mean', 'real', { type: 'N', length: 9, decimals: 6 }, (r) => r.probMean),
  attribute('prob_max', 'prob_max', 'real', { type: 'N', length: 9, decimals: 6 }, (r) => r.probMax),
  attribute('review_state', 'review', 'text', { type: 'C', length: 10 }, (r) => r.reviewState),
  attribute('note', 'note', 'text', { type: 'C', length: 254 }, (r) => r.note),
  attribute('before_date', 'before_dt', 'date', { type: 'D' }, (r) => r.beforeDate),
  attribute('after_date', 'after_dt', 'date', { type: 'D' }, (r) => r.afterDate),
  attribute('model_name', 'model_name', 'text', { type: 'C', length: 80 }, (r) => r.modelName),
  attribute('model_version', 'model_ver', 'text', { type: 'C', length: 40 }, (r) => r.modelVersion),
  attribute('boundary_id', 'bnd_id', 'text', { type: 'C', length: 40 }, (r) => r.boundaryId ?? null),
  attribute('boundary_name', 'bnd_name', 'text', { type: 'C', length: 120 }, (r) => r.boundaryName ?? null),
];

/** One boundary feature's figures for a run, as the summary table exports them (services/boundaries/featureChange). */
export interface BoundarySummaryRow {
  featureId: string;
  name: string;
  areaM2: number;
  changedM2: number;
  changedPct: number | null;
  regionCount: number;
  /** The largest transitions by area, described ("cropland → residential"), with their areas. */
  transitions: { text: string; areaM2: number }[];
  reviews: { unreviewed: number; confirmed: number; rejected: number };
  runId: number;
  layerName: string;
}

export interface SummaryAttribute {
  name: string;
  kind: 'integer' | 'real' | 'text';
  value(row: BoundarySummaryRow): AttributeValue;
}

const summary = (
  name: string,
  kind: SummaryAttribute['kind'],
  value: (r: BoundarySummaryRow) => AttributeValue,
): SummaryAttribute => ({ name, kind, value });

/**
 * The summary table of a boundary layer joined to a run (CSV and GeoPackage layer "boundary_summary"): one row per
 * feature with its changed area (every region but rejected ones), share, region count, the three largest
 * transitions and the review counts of the regions overlapping it.
 */
export const BOUNDARY_SUMMARY_ATTRIBUTES: readonly SummaryAttribute[] = [
  summary('feature_id', 'text', (r) => r.featureId),
  summary('name', 'text', (r) => r.name),
  summary('layer', 'text', (r) => r.layerName),
  summary('run_id', 'integer', (r) => r.runId),
  summary('area_m2', 'real', (r) => r.areaM2),
  summary('changed_m2', 'real', (r) => r.changedM2),
  summary('changed_pct', 'real', (r) => r.changedPct),
  summary('regions', 'integer', (r) => r.regionCount),
  ...[0, 1, 2].flatMap((i) => [
    summary(`transition_${i + 1}`, 'text', (r) => r.transitions[i]?.text ?? null),
    summary(`transition_${i + 1}_m2`, 'real', (r) => r.transitions[i]?.areaM2 ?? null),
  ]),
  summary('unreviewed', 'integer', (r) => r.reviews.unreviewed),
  summary('confirmed', 'integer', (r) => r.reviews.confirmed),
  summary('rejected', 'integer', (r) => r.reviews.rejected),
];

/** The attributes as a plain object keyed by long names (GeoJSON properties, GeoPackage row). */
export function regionProperties(region: ExportRegion): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const a of REGION_ATTRIBUTES) out[a.name] = a.value(region);
  return out;
}
