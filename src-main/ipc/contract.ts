// The one API contract: every channel's name, request schema and result type, and the typed events.
// Main (IPC), the browser host, the preload, the command line and the renderer all derive from this module.
// The renderer imports it for types and schemas only; it holds no Node code.
import { z } from 'zod';
import {
  REFERENCE_LABELS,
  type ChangeAccuracy,
  type ReferenceLabel,
  type SampleDesign,
  type Stratum,
} from '../core/accuracy/changeAccuracy';
import type { Estimate } from '../core/accuracy/olofsson';
import { AUTO_MODEL } from '../core/models/modelChoice';
import { BAND_ROLES, type BandRole } from '../core/raster/types';
import type { RegionSettings } from '../core/regions/findRegions';
import { MAX_BATCH_SIZE } from '../core/tiling/chunkPlan';
import { REVIEW_STATES, type ReviewState } from '../core/regions/reviewState';
import { calendarDate } from './calendarDate';
import {
  stacSearchRequest,
  stacUseScenesRequest,
  type StacCatalogue,
  type StacSearchResult,
} from './stacSchemas';
import { planetSetKeyRequest, type PlanetKeyStatus } from './planetSchemas';
import { BASEMAP_KINDS, type Basemap } from '../core/basemaps/basemapUrl';
import { CHANNELS, EVENT_NAMES, type Channel, type EventName } from './channels';

export { calendarDate };

export {
  CHANNELS,
  EVENT_NAMES,
  IPC_EVENT_CHANNEL,
  IPC_PREFIX,
  type Channel,
  type EventName,
} from './channels';

const filePath = z
  .string()
  .min(1, 'A file path is required.')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'A file path must not contain NUL characters.');

export const projectSummary = z.object({
  path: z.string(),
  name: z.string(),
  createdAt: z.string(),
  schemaVersion: z.number(),
  readOnly: z.boolean(),
  dataDir: z.string(),
});
export type ProjectSummary = z.infer<typeof projectSummary>;

export interface RecentProject {
  path: string;
  name: string;
  lastOpenedAt: string;
  /** False when the file is gone: shown as missing, removable. */
  exists: boolean;
}

export interface DirectoryListing {
  dir: string;
  parent: string | null;
  entries: { name: string; path: string; kind: 'dir' | 'file' }[];
}

export interface MapView {
  center: [number, number];
  zoom: number;
}

export interface AppInfo {
  version: string;
  transport: 'electron' | 'browser' | 'in-process';
  platform: string;
  /** True where the shell can show native open/save dialogs (Electron). */
  nativeDialogs: boolean;
  homeDir: string;
}

// ---- Imagery -------------------------------------------------------------------------------------------------

export const DATE_ROLES = ['before', 'after'] as const;
export type DateRole = (typeof DATE_ROLES)[number];
export { BAND_ROLES };
export type BandRoleName = BandRole;

/** What a planner sees of one date's imagery. */
export interface ImageryDateSummary {
  role: DateRole;
  uris: string[];
  /** proj4: the CRS's definition (the map's coordinate readout and "go to" in grid coordinates); null when unknown. */
  crs: { code: string | null; name: string; proj4?: string | null };
  /** Metres per pixel along x and y (without georeference: the size the user gave, else null). */
  pixelSizeM: [number, number] | null;
  widthPx: number;
  heightPx: number;
  areaKm2: number | null;
  bands: { index: number; role: BandRoleName }[];
  sampleType: string;
  nodata: number | null;
  /** Acquisition date, YYYY-MM-DD (what the user entered, else what the files say); null when unknown. */
  acquiredAt: string | null;
  /** Where acquiredAt comes from: the files' metadata or name, or the user. */
  acquiredAtSource: 'files' | 'user' | null;
  hasOverviews: boolean;
  /** Outline in map coordinates (see ImageryState.mapSpace): WGS 84 [lon, lat], or [x, -row] pixels; closed. */
  footprint: [number, number][] | null;
}

/**
 * One date of the project's series (imagery set): its id (what runs, tiles and the command line's --date-ids name),
 * and the first date's role 'before', the last's 'after' (dates between have none).
 */
export type SeriesDate = Omit<ImageryDateSummary, 'role'> & { id: number; role: DateRole | null };

export interface PreflightIssue {
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface ImageryState {
  before: ImageryDateSummary | null;
  after: ImageryDateSummary | null;
  /** Every date of the series in order (before first, after last); a two-date project has two. */
  dates: SeriesDate[];
  /** The pre-flight check of the pair, once both dates are set. */
  preflight: PreflightIssue[];
  /**
   * What the API's map coordinates are for this project (footprints, chunk outlines, run extents, region outlines,
   * centroids, areas of interest): WGS 84 longitude/latitude, or, for imagery without georeference, pixel
   * coordinates of the image (x = column, y = -row) on a width x height canvas, with the pixel size the user gave
   * and the grid of its map tiles (tile z covers tileSize * 2^(nativeZoom - z) pixels a side, counted from the
   * image's top-left corner rightwards and downwards).
   */
  mapSpace:
    | { kind: 'wgs84' }
    | {
        kind: 'pixel';
        width: number;
        height: number;
        pixelSizeM: number | null;
        tiles: { nativeZoom: number; maxZoom: number; tileSize: number };
      };
}

/** A web-mercator XYZ tile as a PNG, base64; null where the tile holds no data. */
export type TileImage = { png: string } | null;

// ---- Models and runs ---------------------------------------------------------------------------------------------

export interface ModelInfo {
  /** Name to pass to run:start (catalogue name or card path). */
  id: string;
  name: string;
  version: string;
  task: 'change-detection' | 'land-cover-classification';
  description: string;
  builtIn: boolean;
  chipSize: number | null;
  threshold: number | null;
  /** Ground sampling distances (m per pixel) the model was trained for. */
  gsdRangeM: [number, number];
  /** What kind of change a change model detects (card.detects); null where the card does not say. */
  detects: string | null;
  /** The licence terms of the weights (card.training.licence). */
  licence: string;
  /** Whom to credit (card.attribution); null for cards without one. */
  attribution: string | null;
}

/** The change model a run would use on the project's imagery, and why (models:choose). */
export interface ModelChoiceInfo {
  /** 'auto' or the model asked about. */
  requested: string;
  /** The model's id as in models:list. */
  id: string;
  name: string;
  version: string;
  /** The automatic choice's reason, one sentence; null for a model the user picked. */
  reason: string | null;
  /** The analysis grid's pixel size (m) the choice was made for; null without georeference. */
  pixelSizeM: number | null;
  /** E.g. imagery outside the model's ground sampling range, one sentence each. */
  warnings: string[];
}

export const PROVIDER_IDS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
/** What a run asks for: a provider, or the best one available. */
export type ProviderRequest = ProviderId | 'auto';

export interface ProviderInfo {
  id: ProviderId;
  label: string;
  available: boolean;
}

export type RunStatusName = 'pending' | 'running' | 'cancelled' | 'failed' | 'done';
export type ChunkStateName = 'waiting' | 'running' | 'done' | 'failed';

export interface RunSummary {
  id: number;
  status: RunStatusName;
  createdAt: string;
  modelName: string;
  modelVersion: string;
  /** 'auto' (chosen automatically) or the model the user named; null for runs from before ChangeMap kept it. */
  modelRequested: string | null;
  /** Why the automatic choice took this model; null when the user picked it. */
  modelReason: string | null;
  providerRequested: string;
  providerUsed: string | null;
  chunksDone: number;
  chunksTotal: number;
  warnings: string[];
  error: string | null;
}

/** One date a run compared, as the run history shows it; null where the date was taken out of the series since. */
export interface RunDate {
  id: number;
  /** YYYY-MM-DD, or null when unknown. */
  acquiredAt: string | null;
  /** 1-based place in the series now. */
  index: number;
}

/** A run as the run history lists it: its dates, model, region settings and region count. */
export interface RunHistoryEntry extends RunSummary {
  from: RunDate | null;
  to: RunDate | null;
  regionSettings: RegionSettings;
  /** Regions found for the run; null until they are found. */
  regionCount: number | null;
  /** Area analysed: the whole overlap or the area of interest the run was given. */
  area: 'whole' | 'area';
}

/** Two runs' regions compared by geometry: in both (they overlap), only in one, only in the other. */
export interface RunComparison {
  runA: number;
  runB: number;
  /** Regions of run A that overlap no region of run B, and the other way round (region ids). */
  onlyA: number[];
  onlyB: number[];
  /** Regions of run A that overlap a region of run B, and the regions of B they overlap. */
  bothA: number[];
  bothB: number[];
}

export interface RunDetail extends RunSummary {
  /**
   * Each chunk's outline in WGS 84 ([lon, lat] ring) and state, for the chunk grid on the map; worker: the scale-out
   * worker that computed it (null: this computer).
   */
  chunks: { idx: number; state: ChunkStateName; ring: [number, number][]; worker: string | null }[];
  /** Extent of the analysis grid in WGS 84: [minLon, minLat, maxLon, maxLat]. */
  extent: [number, number, number, number] | null;
  /** The run's region settings by the one rule: saved for the run, else the model card's, else the fallback. */
  regionSettings: RegionSettings;
}

export interface RunProgress {
  runId: number;
  chunksDone: number;
  chunksTotal: number;
  /** 0..1 of the grid's pixels. */
  fraction: number;
  megapixelsPerSecond: number;
  /** null where the grid has no metric georeference. */
  squareKilometresPerSecond: number | null;
  secondsLeft: number | null;
  providerUsed: ProviderId;
}

// ---- Regions -----------------------------------------------------------------------------------------------------

export { REVIEW_STATES };
export type { ReviewState };
export type { Basemap, BasemapKind } from '../core/basemaps/basemapUrl';
export { BASEMAP_KINDS };

/**
 * How a run's probabilities become regions. Which settings a run uses is decided in one place on the server
 * (services/regions/regionSettings.ts: saved for the run, else the model card's, else the fallback).
 */
export const regionSettingsSchema = z
  .object({
    /** A pixel is change where its probability is at least this. */
    threshold: z.number().min(0).max(1),
    /** Morphological opening (removes specks), radius in pixels. */
    openingRadius: z.number().int().min(0).max(20),
    /** Morphological closing (fills pinholes), radius in pixels. */
    closingRadius: z.number().int().min(0).max(20),
    /** Smallest region kept, m². */
    minAreaM2: z.number().min(0).max(1e12),
  })
  .strict() satisfies z.ZodType<RegionSettings>;
/** The region finder's own settings type (core/regions/findRegions.ts); the schema above is checked against it. */
export type { RegionSettings };

/** How the region list can be sorted. */
export const REGION_SORT_KEYS = ['area', 'probability', 'confidence', 'transition', 'review'] as const;
export type RegionSort = (typeof REGION_SORT_KEYS)[number];

export interface RegionRow {
  fid: number;
  areaM2: number;
  probMean: number;
  probMax: number;
  centroidLon: number;
  centroidLat: number;
  fromClass: string | null;
  fromConf: number | null;
  toClass: string | null;
  toConf: number | null;
  reviewState: ReviewState;
  note: string;
}

export interface RegionDetail extends RegionRow {
  perimeterM: number;
  pixelCount: number;
  fromTop3: { label: string; p: number }[];
  toTop3: { label: string; p: number }[];
  /** Outline in WGS 84: polygons of rings of [lon, lat]. */
  outline: [number, number][][][];
  /** [minLon, minLat, maxLon, maxLat] */
  extent: [number, number, number, number];
}

export interface RegionPage {
  total: number;
  items: RegionRow[];
}

/** Every transition, land-cover class and review state of a run's regions, with counts: the filter menus. */
export interface RegionFacets {
  transitions: { from: string; to: string; count: number }[];
  classes: string[];
  reviewStates: Record<ReviewState, number>;
}

/** Progress of the preview pyramid of a date's imagery. */
/** Which imagery a preview belongs to: the before or after date, or another date of the series (`date<id>`). */
export type PreviewKey = DateRole | `date${number}`;

export interface PreviewProgress {
  role: PreviewKey;
  fraction: number;
  done: boolean;
}

export interface SpotCheck {
  before: string;
  change: string;
  after: string;
  /** Ground metres per pixel of the three images. */
  metresPerPixel: number;
}

// ---- Exports -----------------------------------------------------------------------------------------------------

export const REGION_EXPORT_FORMATS = ['geojson', 'shapefile', 'gpkg', 'csv'] as const;
export type RegionExportFormat = (typeof REGION_EXPORT_FORMATS)[number];

export interface ExportResult {
  /** Absolute path of the written file. */
  path: string;
  /** Regions written; null for a raster. */
  featureCount: number | null;
}

// ---- Boundary layers -----------------------------------------------------------------------------------------

export const BOUNDARY_FORMATS = ['geojson', 'shapefile', 'gpkg', 'flatgeobuf'] as const;
export type BoundaryFormatName = (typeof BOUNDARY_FORMATS)[number];
/** File extensions a boundary layer may have (GeoJSON, a zipped or loose Shapefile, GeoPackage, FlatGeobuf). */
export const BOUNDARY_EXTENSIONS = ['geojson', 'json', 'zip', 'shp', 'gpkg', 'fgb'] as const;
export type BoundaryValue = string | number | boolean | null;

export interface BoundaryLayerSummary {
  id: number;
  name: string;
  /** The file it was read from. */
  source: string;
  format: BoundaryFormatName;
  /** The file's CRS, e.g. "EPSG:2154" (features are stored in WGS 84). */
  crs: string;
  /** The attribute shown as each feature's name; null: the feature's key. */
  labelField: string | null;
  fields: { name: string; type: 'text' | 'number' }[];
  featureCount: number;
  /** [minLon, minLat, maxLon, maxLat] */
  extent: [number, number, number, number] | null;
}

export interface TransitionArea {
  from: string | null;
  to: string | null;
  areaM2: number;
}

/** One boundary feature in the attribute table, with the join's figures for a run (zeros before a join). */
export interface BoundaryFeatureRow {
  fid: number;
  /** Its id in the file. */
  key: string;
  label: string;
  /** Geodesic area on the WGS 84 ellipsoid. */
  areaM2: number;
  properties: Record<string, BoundaryValue>;
  /** Overlap with the run's regions but rejected ones, m² (exact polygon clipping). */
  changedM2: number;
  /** changedM2 as % of the feature's area. */
  changedPct: number | null;
  regionCount: number;
  /** The largest transitions by area, at most 3. */
  transitions: TransitionArea[];
  reviews: Record<ReviewState, number>;
}

export interface BoundaryJoinState {
  joinedAt: string;
  /** False when the run's regions changed since (new threshold, ...): join again. */
  current: boolean;
}

export interface BoundaryFeaturePage {
  total: number;
  items: BoundaryFeatureRow[];
  /** The join of this layer with the run asked for; null when never joined. */
  join: BoundaryJoinState | null;
}

export interface BoundaryFeatureDetail {
  fid: number;
  layerId: number;
  key: string;
  label: string;
  /** [minLon, minLat, maxLon, maxLat] */
  extent: [number, number, number, number];
  /** WGS 84 polygons of rings of [lon, lat]. */
  outline: [number, number][][][];
}

export interface BoundaryJoinSummary {
  layerId: number;
  runId: number;
  features: number;
  /** Regions that overlap a feature of the layer. */
  regionsJoined: number;
  regionsTotal: number;
  seconds: number;
}

export const BOUNDARY_SORT_KEYS = [
  'label',
  'key',
  'area',
  'changed',
  'changedPct',
  'regions',
  'field',
] as const;
export type BoundarySort = (typeof BOUNDARY_SORT_KEYS)[number];

const runId = z.number().int().positive();
const layerId = z.number().int().positive();
const tileXYZ = {
  z: z.number().int().min(0).max(24),
  x: z.number().int().min(0),
  y: z.number().int().min(0),
};
const lonLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const reviewState = z.enum(REVIEW_STATES);
const reviewStates = z.array(reviewState).min(1);
const dateRole = z.enum(DATE_ROLES);
const dateId = z.number().int().positive();
/** Two dates of the series a run compares (earlier first). */
const datePair = z
  .object({ from: dateId, to: dateId })
  .strict()
  .refine((p) => p.from !== p.to, 'A run compares two different dates.');
/** A date named by its role (before: the first, after: the last) or by its id in the series. */
const whichDate = <T extends z.ZodRawShape>(shape: T) =>
  z.union([z.object({ role: dateRole, ...shape }).strict(), z.object({ dateId, ...shape }).strict()]);
const landCoverName = z.string().min(1).max(100);
/** Filters of the region list. Class names are the land-cover classes of the classifier's card, or "uncertain". */
export const regionFilters = z
  .object({
    minAreaM2: z.number().min(0).optional(),
    maxAreaM2: z.number().min(0).optional(),
    fromClass: landCoverName.optional(),
    toClass: landCoverName.optional(),
    /** Regions whose before or after land cover is this class. */
    landCoverClass: landCoverName.optional(),
    /** Both land-cover calls at least this confident. */
    minConfidence: z.number().min(0).max(1).optional(),
    minProbability: z.number().min(0).max(1).optional(),
    reviewStates: reviewStates.optional(),
    /** Regions whose largest overlap in a boundary layer is this feature (boundary_features.fid). */
    boundaryFeature: z
      .object({ layerId: z.number().int().positive(), fid: z.number().int().positive() })
      .strict()
      .optional(),
  })
  .strict();
/** Review states an export keeps when the request names none: everything but rejected regions. */
export const DEFAULT_EXPORT_REVIEW_STATES = ['unreviewed', 'confirmed'] as const satisfies ReviewState[];
/** Filters of an export: review states (default: all but rejected), a minimum area, transitions. */
export const exportFilters = z
  .object({
    reviewStates: reviewStates.default([...DEFAULT_EXPORT_REVIEW_STATES]),
    minAreaM2: z.number().min(0).optional(),
    /** A side left out matches any class; null matches regions without a class for that date. */
    transitions: z
      .array(
        z
          .object({ from: landCoverName.nullable().optional(), to: landCoverName.nullable().optional() })
          .strict(),
      )
      .min(1)
      .max(200)
      .optional(),
  })
  .strict();
/** What a caller sends (review states left out: the default above). */
export type ExportFilters = z.input<typeof exportFilters>;
export type RegionFilters = z.infer<typeof regionFilters>;

/**
 * Replace an existing file at `out`: the path the user confirmed replacing, which must name `out` itself (a yes given
 * for one file never replaces another; services/exports/exportTarget.ts). Left out, an existing file gives
 * EXPORT_EXISTS. Even confirmed, only a file of the kind the export writes is replaced, never the project or its
 * imagery.
 */
const exportOverwrite = filePath.optional();

/** Regions of a run written as a GIS file; the export service and the command line take this request too. */
export const exportRegionsRequest = z
  .object({
    runId,
    format: z.enum(REGION_EXPORT_FORMATS),
    /** The file to write (.geojson, .zip, .gpkg, .csv); a Shapefile gets .zip added when it lacks it. */
    out: filePath,
    /** Coordinates in the run's grid CRS or WGS 84. GeoJSON is always WGS 84 (RFC 7946). */
    crs: z.enum(['grid', 'wgs84']).default('wgs84'),
    filters: exportFilters.prefault({}),
    /** CSV only: add the outline as WKT in a column "wkt". */
    includeWkt: z.boolean().default(false),
    overwrite: exportOverwrite,
    /** The boundary layer whose feature each region carries (boundary_id, boundary_name); default: the last joined. */
    boundaryLayerId: z.number().int().positive().optional(),
  })
  .strict();

/** A run's probability raster, or its change mask at a threshold, written as a GeoTIFF. */
export const exportRasterRequest = z
  .object({
    runId,
    kind: z.enum(['probability', 'mask']),
    out: filePath,
    /** Mask only: a pixel is change when its probability is at least this. */
    threshold: z.number().min(0).max(1).optional(),
    overwrite: exportOverwrite,
  })
  .strict();

// ---- Accuracy assessment and report -----------------------------------------------------------------------------

export { REFERENCE_LABELS };
export type { Estimate, ReferenceLabel, Stratum };

/** A new stratified random sample of a run; what is left out follows DEFAULT_SAMPLE_DESIGN (core/accuracy). */
export const drawSampleRequest = z
  .object({
    runId,
    /** Standard error wanted for the overall accuracy; sets the number of points (Olofsson et al. 2014, eq. 13). */
    targetStandardError: z.number().gt(0).lt(1).optional(),
    expectedChangedAccuracy: z.number().gt(0).lt(1).optional(),
    expectedUnchangedAccuracy: z.number().gt(0).lt(1).optional(),
    minimumPerStratum: z.number().int().min(2).max(10_000).optional(),
    /** Exactly this many points (the target standard error is then not used). */
    points: z.number().int().min(4).max(20_000).optional(),
    /** The same seed over the same regions draws the same points; left out, a random one (saved). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .strict();
export type DrawSampleRequest = z.output<typeof drawSampleRequest>;

export interface AccuracyPoint {
  id: number;
  idx: number;
  stratum: Stratum;
  lon: number;
  lat: number;
  label: ReferenceLabel | null;
}

/** The figures of a labelled sample (core/accuracy/changeAccuracy assessChangeMap, without its assessment). */
export type AccuracyFigures = Omit<ChangeAccuracy, 'assessment'>;

export interface AccuracyState {
  sample: {
    id: number;
    runId: number;
    createdAt: string;
    seed: number;
    design: SampleDesign & { points: number };
    strataPixels: Record<Stratum, number>;
    m2PerPixel: number | null;
    allocation: Record<Stratum, number>;
  };
  points: AccuracyPoint[];
  labelled: number;
  /** Null until every stratum has two labelled points; missing then says what is needed. */
  figures: AccuracyFigures | null;
  missing: string | null;
}

/** The error-adjusted changed area inside one boundary feature that holds sample points. */
export interface AccuracyByFeature {
  fid: number;
  label: string;
  /** Sample points inside the feature, and how many of them are labelled. */
  points: number;
  labelled: number;
  /** Null where the sample does not allow an estimate; missing says why. */
  adjustedChange: Estimate | null;
  unit: 'm2' | 'px';
  missing: string | null;
}

export const SAMPLE_EXPORT_FORMATS = ['csv', 'gpkg'] as const;

/** A printable report of a run: HTML, or PDF through a browser engine (by the file's extension). */
export const makeReportRequest = z
  .object({
    runId,
    out: filePath.refine((p) => /\.(html?|pdf)$/i.test(p), 'A report is written to a .html or .pdf file.'),
    /** Pages of the largest regions (before / change / after). */
    largestRegions: z.number().int().min(0).max(50).default(5),
    overwrite: z.boolean().default(false),
  })
  .strict();

export interface ReportResult {
  path: string;
  format: 'html' | 'pdf';
  /** What printed the PDF (null for HTML). */
  engine: string | null;
}

/** Request schemas, one per channel. */
/**
 * The most inference threads a run may ask for. A fixed cap, not one from the machine's cores: the contract is
 * checked where the request is made (renderer, browser client, command line), which does not know the cores of
 * the process that runs the model. 256 covers the largest CPUs; each thread costs stack and arena memory, so
 * `--threads 100000` is refused instead of reaching gigabytes.
 */
export const MAX_INFERENCE_THREADS = 256;

/** The most model sessions a run may ask for side by side (each holds its own activations: about 150 MiB at 656 px). */
export const MAX_INFERENCE_SESSIONS = 16;

/**
 * A job engine for a scale-out run: the address of the Redis that `changemap worker` processes take chunks from
 * (services/scaleout). Left out, the run is computed in the app's own process.
 */
export const engineUrl = z
  .string()
  .max(2048)
  .regex(/^rediss?:\/\/[^\s/]+(\/\d*)?$/, 'Give the job engine as redis://host:6379 (rediss:// for TLS)');

/**
 * Where scale-out workers that share no file system with the project hand their chunk files over: an S3-compatible
 * bucket and a key prefix (services/scaleout/s3ChunkStore.ts). A bucket name as S3 allows it (3-63 lowercase letters,
 * digits, dots and hyphens); the prefix's segments are plain names, never `.` or `..`.
 */
export const outputStoreUrl = z
  .string()
  .max(1024)
  .regex(
    /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/(?!\.{1,2}(\/|$))[A-Za-z0-9._-]+)*\/?$/,
    'Give the output store as s3://bucket/prefix (a bucket of 3-63 lowercase letters, digits, dots and hyphens)',
  );

/**
 * The S3 endpoint of a store that is not AWS's (MinIO, Ceph, R2): scheme, host and port only; credentials never
 * travel in it (they come from the AWS environment of each machine).
 */
export const s3EndpointUrl = z
  .string()
  .max(2048)
  .regex(
    /^https?:\/\/[^\s/@?#]+\/?$/,
    'Give the S3 endpoint as http(s)://host:port, without a path or a password',
  );

/** A change-detection run of two dates (run:start); a batch (run:startBatch) takes the same options. */
export const runStartRequest = z
  .object({
    /** 'auto' (default): chosen from the imagery's pixel size and the model cards (core/models/modelChoice.ts). */
    model: z.string().min(1).max(4096).default(AUTO_MODEL),
    provider: z.enum(['auto', ...PROVIDER_IDS]).default('auto'),
    aoi: z
      .union([
        z.object({ kind: z.literal('bbox'), min: lonLat, max: lonLat }).strict(),
        z.object({ kind: z.literal('polygon'), ring: z.array(lonLat).min(4).max(10_000) }).strict(),
      ])
      .nullable()
      .default(null),
    /** The analysis grid's CRS (pixels for a pair without georeference), as the command line's --aoi. */
    gridAoi: z
      .object({ minX: z.number(), minY: z.number(), maxX: z.number(), maxY: z.number() })
      .strict()
      .refine((a) => a.minX < a.maxX && a.minY < a.maxY, 'The area needs minX < maxX and minY < maxY.')
      .optional(),
    chunkSize: z.number().int().min(256).max(16_384).optional(),
    /** Chip edge in pixels (default: the least repeated work the model's card allows on this grid). */
    chipSize: z.number().int().min(8).max(4096).optional(),
    /** Chip overlap in pixels (default: an eighth of the model card's chip). */
    overlap: z.number().int().min(0).max(4096).optional(),
    /** Chips per batch (default: from the memory budget), at most MAX_BATCH_SIZE. */
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).optional(),
    /** CPU threads for inference (default: measured for the machine and model), at most MAX_INFERENCE_THREADS. */
    threads: z.number().int().min(1).max(MAX_INFERENCE_THREADS).optional(),
    /** Model sessions side by side (default: measured with the threads), at most MAX_INFERENCE_SESSIONS. */
    sessions: z.number().int().min(1).max(MAX_INFERENCE_SESSIONS).optional(),
    /** Memory the run may use, MiB; chunk and batch sizes follow from it (default 1024). */
    memoryBudgetMiB: z.number().int().min(128).max(1_048_576).optional(),
    /** Region settings for the regions found when the run finishes (the rest come from the one rule). */
    regionSettings: regionSettingsSchema.partial().optional(),
    /** Find and classify regions when the run finishes (the command line's --no-regions turns it off). */
    findRegions: z.boolean().default(true),
    /** The two dates of the series to compare (default: the before and the after date, first and last). */
    dates: datePair.optional(),
    /** Computed by scale-out workers through this job engine (default: in this process). */
    engine: engineUrl.optional(),
    /** With an engine: the workers hand their chunk files over through this S3-compatible store (not shared files). */
    output: outputStoreUrl.optional(),
    /** The S3 endpoint of `output` where it is not AWS (default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS). */
    s3Endpoint: s3EndpointUrl.optional(),
  })
  .strict();

/**
 * Edge of a generated scene in pixels (the sample scene of the demo, `changemap run --synthetic`): one limit for
 * both. 20000 is the largest pair the benchmarks run (400 Mpx, about 4 minutes); `--synthetic 200000x200000` would
 * write 80 GB of imagery before the run starts, so it is refused instead.
 */
export const generatedSceneEdge = z.number().int().min(16).max(20_000);

export const requests = {
  'app:info': z.object({}).strict(),
  'project:create': z.object({ path: filePath, name: z.string().max(200).optional() }).strict(),
  'project:open': z.object({ path: filePath }).strict(),
  'project:close': z.object({}).strict(),
  'project:current': z.object({}).strict(),
  'project:setMapView': z
    .object({
      center: z.tuple([z.number().finite(), z.number().finite()]),
      zoom: z.number().finite().min(0).max(30),
    })
    .strict(),
  'project:getMapView': z.object({}).strict(),
  'recent:list': z.object({}).strict(),
  'recent:remove': z.object({ path: filePath }).strict(),
  'dialog:pickProjectPath': z.object({ mode: z.enum(['save', 'open']) }).strict(),
  'dialog:pickFiles': z
    .object({
      title: z.string().max(200),
      extensions: z.array(z.string().regex(/^[a-z0-9]{1,10}$/i)).max(16),
      multiple: z.boolean().default(false),
    })
    .strict(),
  'dialog:pickSavePath': z
    .object({
      title: z.string().max(200),
      extension: z.string().regex(/^[a-z0-9]{1,10}$/i),
      defaultPath: filePath.optional(),
    })
    .strict(),
  'fs:list': z
    .object({ dir: filePath.optional(), extensions: z.array(z.string().max(16)).max(16).optional() })
    .strict(),
  'imagery:get': z.object({}).strict(),
  'imagery:setFiles': z.object({ role: dateRole, uris: z.array(filePath).min(1).max(10_000) }).strict(),
  'imagery:clear': z.object({ role: dateRole }).strict(),
  'imagery:setBandRoles': z
    .object({ role: dateRole, roles: z.array(z.enum(BAND_ROLES)).min(1).max(64) })
    .strict(),
  'imagery:previewTile': whichDate(tileXYZ),
  /** Imagery without georeference: the ground size of a pixel in metres as the user knows it (null: unknown). */
  'imagery:setPixelSize': z.object({ sizeM: z.number().positive().max(100_000).nullable() }).strict(),
  /** The acquisition date the user knows; null goes back to the date the files carry. */
  'imagery:setAcquiredAt': whichDate({ date: calendarDate.nullable() }),
  /** A new date after the last one (one or many tiles), with the acquisition date the user knows. */
  'imagery:addDate': z
    .object({ uris: z.array(filePath).min(1).max(10_000), acquiredAt: calendarDate.nullable().default(null) })
    .strict(),
  /** Replaces the files of a date of the series. */
  'imagery:setDateFiles': z.object({ dateId, uris: z.array(filePath).min(1).max(10_000) }).strict(),
  'imagery:removeDate': z.object({ dateId }).strict(),
  'models:list': z.object({}).strict(),
  'models:add': z.object({ path: filePath }).strict(),
  'models:choose': z.object({ model: z.string().min(1).max(4096).default(AUTO_MODEL) }).strict(),
  'providers:list': z.object({}).strict(),
  'run:start': runStartRequest,
  /**
   * One run per pair of dates, one after another (default: each date against the next); every pair is checked
   * before the first starts. A run that fails or is cancelled stops the batch.
   */
  'run:startBatch': runStartRequest
    .omit({ dates: true })
    .extend({ pairs: z.array(datePair).min(1).max(64).optional() })
    .strict(),
  /** Every run of the project with its dates, model, settings and region count, oldest first. */
  'run:history': z.object({}).strict(),
  /** Regions of two runs compared by geometry overlap. */
  'run:compare': z.object({ runA: runId, runB: runId }).strict(),
  'run:cancel': z.object({ runId }).strict(),
  'run:resume': z
    .object({
      runId,
      engine: engineUrl.optional(),
      output: outputStoreUrl.optional(),
      s3Endpoint: s3EndpointUrl.optional(),
    })
    .strict(),
  'run:get': z.object({ runId }).strict(),
  'run:list': z.object({}).strict(),
  'run:probabilityTile': z.object({ runId, ...tileXYZ }).strict(),
  /** Settings left out come from the one rule (services/regions/regionSettings.ts). */
  'regions:compute': z.object({ runId, ...regionSettingsSchema.partial().shape }).strict(),
  'regions:list': z
    .object({
      runId,
      sort: z.enum(REGION_SORT_KEYS).default('area'),
      descending: z.boolean().default(true),
      filters: regionFilters.default({}),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    })
    .strict(),
  'regions:get': z.object({ fid: z.number().int().positive() }).strict(),
  'regions:review': z
    .object({
      fid: z.number().int().positive(),
      state: reviewState,
      note: z.string().max(10_000).optional(),
    })
    .strict(),
  'regions:spotCheck': z.object({ fid: z.number().int().positive() }).strict(),
  'regions:facets': z.object({ runId }).strict(),
  'regions:outlines': z
    .object({
      runId,
      extent: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      limit: z.number().int().min(1).max(20_000).default(5000),
    })
    .strict(),
  'export:regions': exportRegionsRequest,
  'export:raster': exportRasterRequest,
  'boundaries:add': z
    .object({
      path: filePath,
      /** A GeoPackage table or a Shapefile inside a zip; default: the first polygon layer. */
      layer: z.string().min(1).max(200).optional(),
      name: z.string().min(1).max(200).optional(),
      labelField: z.string().min(1).max(200).optional(),
    })
    .strict(),
  'boundaries:list': z.object({}).strict(),
  'boundaries:remove': z.object({ layerId }).strict(),
  'boundaries:setLabelField': z.object({ layerId, field: z.string().min(1).max(200).nullable() }).strict(),
  'boundaries:features': z
    .object({
      layerId,
      /** The run whose join figures to show; without it the figures are zero. */
      runId: runId.optional(),
      sort: z.enum(BOUNDARY_SORT_KEYS).default('label'),
      /** The attribute to sort by when sort is 'field'. */
      field: z.string().min(1).max(200).optional(),
      descending: z.boolean().default(false),
      /** Features whose key, label or any attribute contains this text (case-insensitive). */
      filter: z.string().max(200).default(''),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    })
    .strict(),
  'boundaries:feature': z.object({ fid: z.number().int().positive() }).strict(),
  'boundaries:outlines': z
    .object({
      layerId,
      extent: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      limit: z.number().int().min(1).max(20_000).default(5000),
    })
    .strict(),
  'boundaries:join': z.object({ layerId, runId }).strict(),
  /** The per-feature table (changed area, regions, transitions, reviews) as CSV or a GeoPackage layer. */
  'boundaries:exportSummary': z
    .object({
      layerId,
      runId,
      format: z.enum(['csv', 'gpkg']),
      out: filePath,
      overwrite: z.boolean().default(false),
    })
    .strict(),
  'stac:catalogues': z.object({}).strict(),
  'stac:search': stacSearchRequest,
  /** Stops the search in flight, if any (it ends with STAC_CANCELLED). */
  'stac:cancel': z.object({}).strict(),
  /** The picked scenes become the date's imagery, by reference (their COG addresses), with where they came from. */
  'stac:useScenes': stacUseScenesRequest,
  /** A thumbnail a search of this session returned, as a data: URL (null where it cannot be had). */
  'stac:thumbnail': z.object({ url: z.string().min(1).max(4096) }).strict(),
  /** Whether a Planet API key is set and where it is kept (never the key itself). */
  'planet:status': z.object({}).strict(),
  /** Keeps the user's Planet API key (the OS's secure storage in the desktop app; else for the session). */
  'planet:setKey': planetSetKeyRequest,
  /** Forgets the Planet API key (and stops using PL_API_KEY until one is entered). */
  'planet:clearKey': z.object({}).strict(),
  'accuracy:draw': drawSampleRequest,
  'accuracy:get': z.object({ runId }).strict(),
  'accuracy:label': z
    .object({ pointId: z.number().int().positive(), label: z.enum(REFERENCE_LABELS).nullable() })
    .strict(),
  'accuracy:spotCheck': z.object({ pointId: z.number().int().positive() }).strict(),
  'accuracy:export': z
    .object({
      sampleId: z.number().int().positive(),
      format: z.enum(SAMPLE_EXPORT_FORMATS),
      out: filePath,
      overwrite: z.boolean().default(false),
    })
    .strict(),
  'accuracy:byFeature': z.object({ runId, layerId: z.number().int().positive() }).strict(),
  'report:make': makeReportRequest,
  'basemaps:list': z.object({}).strict(),
  // The address itself is checked by the basemaps service (core/basemaps/basemapUrl.ts: http(s) only, placeholders).
  'basemaps:add': z
    .object({
      name: z.string().max(80),
      kind: z.enum(BASEMAP_KINDS),
      url: z.string().max(2000),
      layer: z.string().max(200).optional(),
      matrixSet: z.string().max(200).optional(),
      attribution: z.string().max(300).optional(),
    })
    .strict(),
  'basemaps:remove': z.object({ id: z.string().max(64) }).strict(),
  'basemaps:tile': z
    .object({
      id: z.string().max(64),
      z: z.number().int().min(0).max(24),
      x: z.number().int().min(0),
      y: z.number().int().min(0),
    })
    .strict()
    .refine((t) => t.x < 2 ** t.z && t.y < 2 ** t.z, 'A tile number lies outside its zoom level.'),
} satisfies Record<Channel, z.ZodType>;

/** Result type of each channel. */
export interface Results {
  'app:info': AppInfo;
  'project:create': ProjectSummary;
  'project:open': ProjectSummary;
  'project:close': null;
  'project:current': ProjectSummary | null;
  'project:setMapView': null;
  'project:getMapView': MapView | null;
  'recent:list': RecentProject[];
  'recent:remove': RecentProject[];
  'dialog:pickProjectPath': string | null;
  /** Native dialogs only (Electron); null where the user cancelled or the shell has none. */
  'dialog:pickFiles': string[] | null;
  'dialog:pickSavePath': string | null;
  'fs:list': DirectoryListing;
  'imagery:get': ImageryState;
  'imagery:setFiles': ImageryState;
  'imagery:clear': ImageryState;
  'imagery:setBandRoles': ImageryState;
  'imagery:previewTile': TileImage;
  'imagery:setAcquiredAt': ImageryState;
  'imagery:setPixelSize': ImageryState;
  'imagery:addDate': ImageryState;
  'imagery:setDateFiles': ImageryState;
  'imagery:removeDate': ImageryState;
  'models:list': ModelInfo[];
  'models:add': ModelInfo;
  /** Null until both dates are set. */
  'models:choose': ModelChoiceInfo | null;
  'providers:list': ProviderInfo[];
  'run:start': RunSummary;
  /** The first pair's run (started) and the pairs of the batch in order (the rest start as each run finishes). */
  'run:startBatch': { first: RunSummary; pairs: { from: number; to: number }[] };
  'run:history': RunHistoryEntry[];
  'run:compare': RunComparison;
  'run:cancel': RunSummary;
  'run:resume': RunSummary;
  'run:get': RunDetail;
  'run:list': RunSummary[];
  'run:probabilityTile': TileImage;
  'regions:compute': { runId: number; regionCount: number; settings: RegionSettings; seconds: number };
  'regions:list': RegionPage;
  'regions:get': RegionDetail;
  'regions:review': RegionRow;
  'regions:spotCheck': SpotCheck;
  'regions:facets': RegionFacets;
  'regions:outlines': {
    fid: number;
    transition: string;
    /** So the map can style confirmed, rejected and unreviewed regions apart. */
    reviewState?: ReviewState;
    outline: [number, number][][][];
  }[];
  'export:regions': ExportResult;
  'export:raster': ExportResult;
  'boundaries:add': BoundaryLayerSummary;
  'boundaries:list': BoundaryLayerSummary[];
  'boundaries:remove': BoundaryLayerSummary[];
  'boundaries:setLabelField': BoundaryLayerSummary;
  'boundaries:features': BoundaryFeaturePage;
  'boundaries:feature': BoundaryFeatureDetail;
  'boundaries:outlines': { fid: number; label: string; outline: [number, number][][][] }[];
  'boundaries:join': BoundaryJoinSummary;
  'boundaries:exportSummary': ExportResult;
  'stac:catalogues': StacCatalogue[];
  'stac:search': StacSearchResult;
  'stac:cancel': null;
  'stac:useScenes': ImageryState;
  'stac:thumbnail': string | null;
  'planet:status': PlanetKeyStatus;
  'planet:setKey': PlanetKeyStatus;
  'planet:clearKey': PlanetKeyStatus;
  'accuracy:draw': AccuracyState;
  'accuracy:get': AccuracyState | null;
  'accuracy:label': AccuracyState;
  'accuracy:spotCheck': SpotCheck;
  'accuracy:export': { path: string; pointCount: number };
  'accuracy:byFeature': AccuracyByFeature[];
  'report:make': ReportResult;
  'basemaps:list': Basemap[];
  'basemaps:add': Basemap[];
  'basemaps:remove': Basemap[];
  /** The tile's bytes in base64 and their image type; null where the server has no tile there. */
  'basemaps:tile': { data: string; mime: string } | null;
}

export type Request<C extends Channel> = z.input<(typeof requests)[C]>;
export type ParsedRequest<C extends Channel> = z.output<(typeof requests)[C]>;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name);
}

/** Events pushed from the services to every connected window. */
export interface Events {
  'project:changed': { project: ProjectSummary | null };
  'log:warning': { message: string };
  'imagery:changed': ImageryState;
  'imagery:previewProgress': PreviewProgress;
  'run:started': RunDetail;
  /** worker: a scale-out run's worker computing (running) or that computed (done) the chunk. */
  'run:chunk': { runId: number; idx: number; state: ChunkStateName; worker?: string };
  'run:progress': RunProgress;
  'run:done': RunSummary;
  'run:failed': { runId: number; code: string; message: string };
  'run:cancelled': { runId: number };
  'regions:changed': { runId: number; regionCount: number };
  /** A scene image being downloaded into the project (Find imagery with "download"). */
  'stac:downloadProgress': {
    file: string;
    bytes: number;
    totalBytes: number | null;
    index: number;
    count: number;
    /** A Planet scene: where Planet's preparation (activation) of its image stands; bytes follow once active. */
    activation?: 'inactive' | 'activating' | 'active';
  };
  /** Finding a finished run's regions on its own failed (the run stays done; "Find regions" can try again). */
  'regions:failed': { runId: number; code: string; message: string };
  /** A boundary layer was added, removed or relabelled, or a join finished. */
  'boundaries:changed': { layers: BoundaryLayerSummary[] };
  'boundaries:joinProgress': { layerId: number; runId: number; fraction: number };
}
// Every event name has a payload type, and every payload type a name.
type _EventsComplete = [EventName] extends [keyof Events]
  ? [keyof Events] extends [EventName]
    ? true
    : never
  : never;
export const eventsComplete: _EventsComplete = true;
export const eventNames: readonly EventName[] = EVENT_NAMES;

/** Server-side implementation of the API: one method per channel, taking the parsed request. */
export type ApiHandlers = { [C in Channel]: (request: ParsedRequest<C>) => Promise<Results[C]> | Results[C] };
