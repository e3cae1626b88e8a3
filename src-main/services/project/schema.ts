// The project file's schema, as ordered migrations. A project is one SQLite file that is also a valid
// GeoPackage: the gpkg_* tables beside ChangeMap's own.
//
// Why the schema version lives in PRAGMA user_version as 10300 + n: GeoPackage reserves user_version for its
// own version number (10300 = GeoPackage 1.3.0) and GDAL warns on values above 10400. Encoding our schema
// version n as 10300 + n keeps the file a GeoPackage 1.3.x for every reader while giving migrations their
// counter (room for 99 schema versions before a new scheme is needed).

export const GPKG_APPLICATION_ID = 0x47504b47; // "GPKG"
export const USER_VERSION_BASE = 10300;

export interface Migration {
  /** Schema version this migration produces. */
  version: number;
  description: string;
  sql: string;
}

const WGS84_WKT =
  'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],' +
  'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,' +
  'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description:
      'GeoPackage core tables, project settings, imagery, runs with their chunk ledger, change regions',
    sql: `
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, '${WGS84_WKT.replace(/'/g, "''")}', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');

CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);

CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);

-- Key/value settings of the project (JSON values): name, created_at, map view, thresholds, ...
CREATE TABLE cm_settings (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);

-- One imagery set per date role; its tiles (files or URLs) in order.
CREATE TABLE cm_imagery_sets (
  id INTEGER PRIMARY KEY,
  role TEXT NOT NULL UNIQUE CHECK (role IN ('before', 'after')),
  label TEXT NOT NULL DEFAULT '',
  acquired_at TEXT,
  -- JSON: CRS, grid, bands and roles, data type, nodata, statistics, as read from the files
  metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE cm_imagery_files (
  id INTEGER PRIMARY KEY,
  set_id INTEGER NOT NULL REFERENCES cm_imagery_sets(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  uri TEXT NOT NULL,
  -- size and mtime (local) or ETag/length (HTTP): to tell when an input changed under a run
  fingerprint TEXT NOT NULL DEFAULT '',
  UNIQUE (set_id, position)
);

-- The run ledger: parameters, provenance and every chunk's state, so a run resumes where it stopped.
CREATE TABLE cm_runs (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'cancelled', 'failed', 'done')),
  model_name TEXT NOT NULL,
  model_version TEXT NOT NULL,
  model_sha256 TEXT NOT NULL,
  provider_requested TEXT NOT NULL,
  provider_used TEXT,
  -- JSON: analysis grid (GridSpec), area of interest, chunk size, halo, inputs' fingerprints, ...
  params TEXT NOT NULL,
  -- Path of the probability raster, relative to the project's data folder
  probability_path TEXT,
  warnings TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  started_at TEXT,
  finished_at TEXT
);
CREATE TABLE cm_run_chunks (
  run_id INTEGER NOT NULL REFERENCES cm_runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  x INTEGER NOT NULL, y INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  computed_count INTEGER NOT NULL DEFAULT 0,
  millis REAL,
  error TEXT,
  finished_at TEXT,
  PRIMARY KEY (run_id, idx)
);

-- Change regions: a GeoPackage feature layer (WGS 84, so QGIS shows it as is). geom_grid keeps the same
-- outline in the run's grid CRS (GeoPackage geometry blob) for exports in that CRS.
CREATE TABLE change_regions (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  run_id INTEGER NOT NULL REFERENCES cm_runs(id) ON DELETE CASCADE,
  pixel_count INTEGER NOT NULL,
  area_m2 REAL NOT NULL,
  perimeter_m REAL NOT NULL,
  prob_mean REAL NOT NULL,
  prob_max REAL NOT NULL,
  centroid_x REAL NOT NULL,
  centroid_y REAL NOT NULL,
  centroid_lon REAL NOT NULL,
  centroid_lat REAL NOT NULL,
  bbox_min_x REAL NOT NULL, bbox_min_y REAL NOT NULL, bbox_max_x REAL NOT NULL, bbox_max_y REAL NOT NULL,
  from_class TEXT, from_conf REAL, to_class TEXT, to_conf REAL,
  -- JSON [{label, p}] top 3 of each date
  from_top3 TEXT, to_top3 TEXT,
  review_state TEXT NOT NULL DEFAULT 'unreviewed' CHECK (review_state IN ('unreviewed', 'confirmed', 'rejected')),
  note TEXT NOT NULL DEFAULT '',
  geom_grid BLOB
);
CREATE INDEX change_regions_run_area ON change_regions (run_id, area_m2 DESC);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
  VALUES ('change_regions', 'features', 'change_regions', 'Change regions found by ChangeMap', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('change_regions', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
`,
  },
  {
    version: 2,
    description: 'Index for filtering regions by review state; per-run region settings',
    sql: `
CREATE INDEX change_regions_review ON change_regions (run_id, review_state);
-- JSON of the threshold, clean-up radii and minimum area the regions of a run were made with
ALTER TABLE cm_runs ADD COLUMN region_settings TEXT NOT NULL DEFAULT '{}';
`,
  },
  {
    version: 3,
    description: 'How each run chose its change model',
    sql: `
-- 'auto' (the automatic choice) or the model name or card path the user gave; NULL for runs made before
ALTER TABLE cm_runs ADD COLUMN model_requested TEXT;
-- Why that model, one sentence (the automatic choice's reason); NULL when the user picked the model
ALTER TABLE cm_runs ADD COLUMN model_reason TEXT;
`,
  },
  {
    version: 4,
    description:
      'Boundary layers (parcels, districts) and the overlaps of change regions with their features',
    sql: `
-- A boundary layer added from a file (GeoJSON, Shapefile, GeoPackage, FlatGeobuf); its features below.
CREATE TABLE cm_boundary_layers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  -- the file it was read from, its format and its CRS as an EPSG code ("EPSG:2154")
  source TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('geojson', 'shapefile', 'gpkg', 'flatgeobuf')),
  source_crs TEXT NOT NULL,
  -- the attribute shown as each feature's name (map labels, region names); NULL: the feature's key
  label_field TEXT,
  -- JSON [{name, type: 'text' | 'number'}]: the attribute table's columns, in the file's order
  fields TEXT NOT NULL DEFAULT '[]',
  feature_count INTEGER NOT NULL,
  min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,
  added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
-- The features of every boundary layer: a GeoPackage feature layer in WGS 84, so QGIS shows them too.
CREATE TABLE boundary_features (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  layer_id INTEGER NOT NULL REFERENCES cm_boundary_layers(id) ON DELETE CASCADE,
  -- the feature's id in its file (its fid or "id", else its position)
  feature_key TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  -- geodesic area on the WGS 84 ellipsoid
  area_m2 REAL NOT NULL,
  -- JSON object of the file's attributes
  properties TEXT NOT NULL DEFAULT '{}',
  bbox_min_lon REAL NOT NULL, bbox_min_lat REAL NOT NULL, bbox_max_lon REAL NOT NULL, bbox_max_lat REAL NOT NULL
);
CREATE INDEX boundary_features_layer ON boundary_features (layer_id);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
  VALUES ('boundary_features', 'features', 'boundary_features', 'Boundary layers added to ChangeMap', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('boundary_features', 'geom', 'MULTIPOLYGON', 4326, 0, 0);

-- A join of a run's regions to a layer; regions_stamp tells whether the regions changed since.
CREATE TABLE cm_boundary_joins (
  layer_id INTEGER NOT NULL REFERENCES cm_boundary_layers(id) ON DELETE CASCADE,
  run_id INTEGER NOT NULL REFERENCES cm_runs(id) ON DELETE CASCADE,
  regions_stamp TEXT NOT NULL,
  joined_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (layer_id, run_id)
);
-- Every overlap of a region with a feature (exact clipped area); is_largest marks the feature the region overlaps
-- most in that layer. Per-feature figures are sums over these, so review changes show at once.
CREATE TABLE cm_region_overlaps (
  region_fid INTEGER NOT NULL REFERENCES change_regions(fid) ON DELETE CASCADE,
  feature_fid INTEGER NOT NULL REFERENCES boundary_features(fid) ON DELETE CASCADE,
  layer_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  overlap_m2 REAL NOT NULL,
  is_largest INTEGER NOT NULL CHECK (is_largest IN (0, 1)),
  PRIMARY KEY (region_fid, feature_fid)
);
CREATE INDEX cm_region_overlaps_feature ON cm_region_overlaps (feature_fid, run_id);
CREATE INDEX cm_region_overlaps_layer_run ON cm_region_overlaps (layer_id, run_id, is_largest);
`,
  },
  {
    version: 5,
    description: 'A series of dates (three or more) and which two dates each run compares',
    sql: `
-- Each imagery set is one date of the project's series, in position order. role stays for what reads it (the
-- two-date API, exports, older readers): 'before' tags the first date and 'after' the last once there are two; the
-- dates between have none, so role becomes optional. A two-date project keeps its sets: before first, after second.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt; its files are set aside first, since dropping the old
-- table would cascade to them where foreign keys are on (they are, in the app), and put back after.
CREATE TEMP TABLE cm_imagery_files_v4 AS SELECT * FROM cm_imagery_files;
DELETE FROM cm_imagery_files;
CREATE TABLE cm_imagery_sets_v5 (
  id INTEGER PRIMARY KEY,
  role TEXT UNIQUE CHECK (role IN ('before', 'after')),
  position INTEGER NOT NULL DEFAULT 0,
  label TEXT NOT NULL DEFAULT '',
  acquired_at TEXT,
  -- JSON: CRS, grid, bands and roles, data type, nodata, statistics, as read from the files
  metadata TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO cm_imagery_sets_v5 (id, role, position, label, acquired_at, metadata)
  SELECT id, role, CASE role WHEN 'after' THEN 1 ELSE 0 END, label, acquired_at, metadata FROM cm_imagery_sets;
DROP TABLE cm_imagery_sets;
-- cm_imagery_files names cm_imagery_sets, which this table now is.
ALTER TABLE cm_imagery_sets_v5 RENAME TO cm_imagery_sets;
INSERT INTO cm_imagery_files SELECT * FROM cm_imagery_files_v4;
DROP TABLE cm_imagery_files_v4;
-- The two dates a run compares (cm_imagery_sets ids); a date removed later leaves NULL (the run keeps its files
-- in params). Runs made before compared the before date with the after date.
ALTER TABLE cm_runs ADD COLUMN from_date_id INTEGER REFERENCES cm_imagery_sets(id) ON DELETE SET NULL;
ALTER TABLE cm_runs ADD COLUMN to_date_id INTEGER REFERENCES cm_imagery_sets(id) ON DELETE SET NULL;
UPDATE cm_runs SET
  from_date_id = (SELECT id FROM cm_imagery_sets WHERE role = 'before'),
  to_date_id = (SELECT id FROM cm_imagery_sets WHERE role = 'after');
`,
  },
  {
    version: 6,
    description: 'Accuracy assessment: stratified random samples of a run and their reference labels',
    sql: `
-- One stratified random sample of a run (Olofsson et al. 2014): strata "changed" (inside the run's regions) and
-- "unchanged" (every other valid pixel), their sizes in pixels when drawn, and how the sample size was chosen.
CREATE TABLE cm_accuracy_samples (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES cm_runs(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  seed INTEGER NOT NULL,
  changed_pixels INTEGER NOT NULL,
  unchanged_pixels INTEGER NOT NULL,
  -- Ground square metres per pixel (mean over the grid); NULL for a pixel-aligned pair without a pixel size
  m2_per_pixel REAL,
  -- JSON: target standard error, expected user's accuracies, minimum per stratum, number of points
  design TEXT NOT NULL
);
-- Its points: one pixel each, in the run's grid (column, row) and WGS 84; the label is the user's reference call.
CREATE TABLE cm_accuracy_points (
  id INTEGER PRIMARY KEY,
  sample_id INTEGER NOT NULL REFERENCES cm_accuracy_samples(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  stratum TEXT NOT NULL CHECK (stratum IN ('changed', 'unchanged')),
  col INTEGER NOT NULL,
  row INTEGER NOT NULL,
  x REAL NOT NULL,
  y REAL NOT NULL,
  lon REAL NOT NULL,
  lat REAL NOT NULL,
  label TEXT CHECK (label IN ('change', 'no_change')),
  labelled_at TEXT,
  UNIQUE (sample_id, idx)
);
`,
  },
  {
    version: 7,
    description: 'Which scale-out worker computed each chunk of a run',
    sql: `
-- The worker (host/pid or the name it was given) that computed the chunk; NULL for a chunk computed in the run's
-- own process or adopted from a file whose writer is unknown
ALTER TABLE cm_run_chunks ADD COLUMN worker TEXT;
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

// Beside these tables, each run with regions has a feature layer change_regions_run_<id>: a view over
// change_regions made by runRegionLayers.ts (the views depend on change_regions, so a migration that rebuilds
// that table must drop and remake them).
