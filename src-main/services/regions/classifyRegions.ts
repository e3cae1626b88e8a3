// Land cover before and after each change region: patches around the region from both dates at a ground size
// that fits the region and the classifier (core/regions/patches.ts), batched through the classifier; "from -> to"
// stored on the region. Equal classes on both dates are stored as they are and read as change within that class.
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import type { ClassifierModelCard } from '../../core/models/modelCard';
import type { AlignedPairSource, GridSpec } from '../../core/raster/types';
import { gridToPixel } from '../../core/raster/geoTransform';
import {
  classifierPatch,
  classifierPatchWindow,
  DEFAULT_PATCH_RULE,
  landCoverAnswer,
  normalisePatch,
  type LandCoverAnswer,
  type PatchRule,
  type PixelBox,
} from '../../core/regions/patches';

type Db = Database.Database;

/** What classification needs of a model (services/inference's LandCoverClassifier fits via classifierFrom). */
export interface RegionClassifier {
  readonly card: ClassifierModelCard;
  /** batch: n x bands x inputSize x inputSize, normalised; returns n x classes.length probabilities. */
  classify(batch: Float32Array, n: number): Promise<Float32Array>;
}

/** Adapts anything with a card and predict(batch, n) (e.g. LandCoverClassifier) to RegionClassifier. */
export function classifierFrom(model: {
  card: ClassifierModelCard;
  predict(batch: Float32Array, n: number): Promise<Float32Array>;
}): RegionClassifier {
  return { card: model.card, classify: (batch, n) => model.predict(batch, n) };
}

export interface ClassifyOptions {
  /** Regions per classifier call (each gives two patches). Default 16. */
  batchSize?: number;
  /** How patches are cut (context margin, smallest share of the patch a region spans). Default DEFAULT_PATCH_RULE. */
  patchRule?: PatchRule;
  /** Classify only regions without land cover yet (default true; false re-classifies all). */
  onlyUnclassified?: boolean;
  /** Bands of the pair source that feed the classifier's bands, in card order (default 0, 1, 2, ...). */
  bandIndices?: number[];
  /** Classify at most this many regions (largest first). */
  maxRegions?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface ClassifySummary {
  classified: number;
  millis: number;
  regionsPerSecond: number;
}

/** Ground size (m) of one grid pixel near a latitude. */
export function pixelSizeM(grid: GridSpec, lat: number): number {
  const [, a, b, , c, d] = grid.geoTransform;
  const size = Math.sqrt(Math.abs(a * d - b * c));
  return grid.crs.units === 'degree' ? size * 111_320 * Math.cos((lat * Math.PI) / 180) : size;
}

/** The region's pixel box from its bounding box in grid coordinates. */
export function pixelBoxOf(
  grid: GridSpec,
  bbox: { minX: number; minY: number; maxX: number; maxY: number },
): PixelBox {
  const corners = [
    gridToPixel(grid.geoTransform, bbox.minX, bbox.minY),
    gridToPixel(grid.geoTransform, bbox.maxX, bbox.maxY),
    gridToPixel(grid.geoTransform, bbox.minX, bbox.maxY),
    gridToPixel(grid.geoTransform, bbox.maxX, bbox.minY),
  ];
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return {
    minCol: Math.max(0, Math.floor(Math.min(...xs) + 1e-6)),
    minRow: Math.max(0, Math.floor(Math.min(...ys) + 1e-6)),
    maxCol: Math.min(grid.width - 1, Math.ceil(Math.max(...xs) - 1e-6) - 1),
    maxRow: Math.min(grid.height - 1, Math.ceil(Math.max(...ys) - 1e-6) - 1),
  };
}

/** Copies the chosen bands of a band-planar w x h image. */
function pickBands(data: Float32Array, w: number, h: number, indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * w * h);
  indices.forEach((b, i) => out.set(data.subarray(b * w * h, (b + 1) * w * h), i * w * h));
  return out;
}

/** A region to label: its pixel box in the pair's grid and its latitude (for the ground size of geographic grids). */
export interface RegionToLabel {
  box: PixelBox;
  lat: number;
}

/**
 * Land cover before and after for each region, exactly as a run's regions are labelled (patch rule, summed
 * planner classes, uncertain rule), in one classifier call: classifyRegions stores these; eval scores them.
 */
export async function labelRegions(
  pair: AlignedPairSource,
  classifier: RegionClassifier,
  regions: readonly RegionToLabel[],
  options: Pick<ClassifyOptions, 'bandIndices' | 'patchRule' | 'signal'> = {},
): Promise<{ before: LandCoverAnswer; after: LandCoverAnswer }[]> {
  const card = classifier.card;
  const n = card.inputSize;
  const bands = card.bands.length;
  const indices = checkedBandIndices(card, pair, options.bandIndices);
  if (regions.length === 0) return [];
  const rule = options.patchRule ?? DEFAULT_PATCH_RULE;
  const patchLen = bands * n * n;
  const batch = new Float32Array(2 * regions.length * patchLen);
  await Promise.all(
    regions.map(async ({ box, lat }, i) => {
      const { window, sidePx } = classifierPatchWindow(
        box,
        pixelSizeM(pair.grid, lat),
        card,
        pair.grid.width,
        pair.grid.height,
        rule,
      );
      const chunk = await pair.read(window, { signal: options.signal });
      for (const [k, data] of [chunk.before, chunk.after].entries()) {
        const patch = classifierPatch(
          pickBands(data, window.width, window.height, indices),
          bands,
          window.width,
          window.height,
          sidePx,
          n,
        );
        normalisePatch(patch, card, n);
        batch.set(patch, (2 * i + k) * patchLen);
      }
    }),
  );
  const probs = await classifier.classify(batch, 2 * regions.length);
  const classes = card.classes.length;
  if (probs.length < 2 * regions.length * classes)
    throw new ChangeMapError(
      'REGIONS_CLASSIFIER_OUTPUT',
      'The classifier returned fewer probabilities than patches.',
    );
  return regions.map((_, i) => ({
    before: landCoverAnswer(probs, 2 * i * classes, card),
    after: landCoverAnswer(probs, (2 * i + 1) * classes, card),
  }));
}

function checkedBandIndices(
  card: ClassifierModelCard,
  pair: AlignedPairSource,
  given: number[] | undefined,
): number[] {
  const bands = card.bands.length;
  const indices = given ?? card.bands.map((_, i) => i);
  if (indices.length !== bands || indices.some((b) => !(b >= 0 && b < pair.bands)))
    throw new ChangeMapError(
      'REGIONS_CLASSIFIER_BANDS',
      `The classifier needs ${bands} bands (${card.bands.join(', ')}); the imagery has ${pair.bands}.`,
    );
  return indices;
}

export async function classifyRegions(
  db: Db,
  runId: number,
  pair: AlignedPairSource,
  classifier: RegionClassifier,
  options: ClassifyOptions = {},
): Promise<ClassifySummary> {
  const started = performance.now();
  checkedBandIndices(classifier.card, pair, options.bandIndices);
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const rows = db
    .prepare(
      `SELECT fid, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, centroid_lat FROM change_regions
       WHERE run_id = ? ${options.onlyUnclassified === false ? '' : 'AND from_class IS NULL'} ORDER BY area_m2 DESC LIMIT ?`,
    )
    .all(runId, options.maxRegions ?? -1) as {
    fid: number;
    bbox_min_x: number;
    bbox_min_y: number;
    bbox_max_x: number;
    bbox_max_y: number;
    centroid_lat: number;
  }[];
  const update = db.prepare(
    `UPDATE change_regions SET from_class = ?, from_conf = ?, from_top3 = ?, to_class = ?, to_conf = ?, to_top3 = ?
     WHERE fid = ?`,
  );
  let done = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    if (options.signal?.aborted)
      throw new ChangeMapError('CANCELLED', 'Classifying the change regions was cancelled.');
    const batchRows = rows.slice(start, start + batchSize);
    const answers = await labelRegions(
      pair,
      classifier,
      batchRows.map((r) => ({
        box: pixelBoxOf(pair.grid, {
          minX: r.bbox_min_x,
          minY: r.bbox_min_y,
          maxX: r.bbox_max_x,
          maxY: r.bbox_max_y,
        }),
        lat: r.centroid_lat,
      })),
      options,
    );
    db.transaction(() => {
      batchRows.forEach((r, i) => {
        const { before, after } = answers[i];
        update.run(
          before.label,
          before.confidence,
          JSON.stringify(before.top3),
          after.label,
          after.confidence,
          JSON.stringify(after.top3),
          r.fid,
        );
      });
    })();
    done += batchRows.length;
    options.onProgress?.({ done, total: rows.length });
  }
  const millis = performance.now() - started;
  return { classified: done, millis, regionsPerSecond: millis > 0 ? (done * 1000) / millis : 0 };
}
