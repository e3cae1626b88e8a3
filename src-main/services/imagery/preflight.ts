// The check before any run: blocking errors and warnings about a before/after pair, each one sentence a planner
// understands, each with a stable code the UI can key on.
import { ChangeMapError } from '../../core/errors';
import { intersectWindows } from '../../core/raster/window';
import { overlapWindow } from './alignedPair';
import { converter } from './crs';
import { gridOutline, openImagerySet, type ImagerySet } from './imagerySet';
import type { AlignOptions } from './alignedPair';
import { spreadSampleWindows } from '../../core/raster/scaling';

export interface PreflightIssue {
  code: string;
  message: string;
}

export interface PreflightResult {
  errors: PreflightIssue[];
  warnings: PreflightIssue[];
}

/** Opens both dates and checks them; files that cannot be opened become blocking errors, not exceptions. */
export async function preflightUris(
  beforeUris: string[],
  afterUris: string[],
  options: Pick<AlignOptions, 'aoi' | 'signal'> = {},
): Promise<PreflightResult> {
  const errors: PreflightIssue[] = [];
  const open = async (uris: string[], label: string) => {
    try {
      return await openImagerySet(uris, { signal: options.signal });
    } catch (error) {
      if (!(error instanceof ChangeMapError)) throw error;
      errors.push({ code: error.code, message: `${label}: ${error.message}` });
      return null;
    }
  };
  const before = await open(beforeUris, 'Before');
  const after = await open(afterUris, 'After');
  try {
    if (!before || !after) return { errors, warnings: [] };
    return await preflightPair(before, after, options);
  } finally {
    await before?.close();
    await after?.close();
  }
}

export async function preflightPair(
  before: ImagerySet,
  after: ImagerySet,
  options: Pick<AlignOptions, 'aoi' | 'signal'> = {},
): Promise<PreflightResult> {
  const errors: PreflightIssue[] = [];
  const warnings: PreflightIssue[] = [];
  const bg = before.metadata.grid;
  const ag = after.metadata.grid;
  const bGeo = bg.crs.code !== null;
  const aGeo = ag.crs.code !== null;
  if (bGeo !== aGeo) {
    errors.push({
      code: 'GEOREFERENCE_MISMATCH',
      message: `The ${bGeo ? 'after' : 'before'} imagery has no georeference, so it cannot be placed beside the other date.`,
    });
    return { errors, warnings };
  }
  if (!bGeo && (bg.width !== ag.width || bg.height !== ag.height)) {
    errors.push({
      code: 'PIXEL_PAIR_SIZE_MISMATCH',
      message: `Neither date has a georeference and their sizes differ (${bg.width} x ${bg.height} and ${ag.width} x ${ag.height} pixels), so pixels cannot be matched.`,
    });
    return { errors, warnings };
  }
  const window = overlapWindow(bg, ag, options.aoi);
  if (!window) {
    errors.push({
      code: 'NO_OVERLAP',
      message: options.aoi
        ? 'The two dates and the area of interest have no area in common.'
        : 'The two dates cover different places: they do not overlap at all.',
    });
    return { errors, warnings };
  }
  if (bGeo && bg.crs.code !== ag.crs.code) {
    warnings.push({
      code: 'CRS_DIFFERS',
      message: `The dates use different coordinate systems (${bg.crs.name} and ${ag.crs.name}); the after date will be reprojected.`,
    });
  }
  const bs = before.summary.pixelSizeM;
  const as = after.summary.pixelSizeM;
  if (bs && as) {
    const ratio = Math.max(bs[0] / as[0], as[0] / bs[0], bs[1] / as[1], as[1] / bs[1]);
    if (ratio > 1.1) {
      warnings.push({
        code: 'PIXEL_SIZE_DIFFERS',
        message: `Pixel sizes differ (${bs[0].toFixed(1)} m and ${as[0].toFixed(1)} m); the after date will be resampled to ${bs[0].toFixed(1)} m.`,
      });
    }
  }
  if (before.metadata.sampleType !== after.metadata.sampleType) {
    warnings.push({
      code: 'DATA_TYPE_DIFFERS',
      message: `The dates store values differently (${before.metadata.sampleType} and ${after.metadata.sampleType}); brightness is matched by scaling each date, which can make unchanged ground look different.`,
    });
  }
  // Overlap as a share of each date, in before pixels (after's area measured on the before grid).
  const overlapPx = window.width * window.height;
  const beforePx = bg.width * bg.height;
  const afterInBefore = bGeo ? afterArea(before, after) : ag.width * ag.height;
  const share = Math.min(overlapPx / beforePx, afterInBefore > 0 ? overlapPx / afterInBefore : 1);
  if (share < 0.05) {
    warnings.push({
      code: 'SMALL_OVERLAP',
      message: `The dates overlap on only ${(share * 100).toFixed(1)}% of one of them; only that part will be analysed.`,
    });
  }
  const nodataShare = await nodataShareInOverlap(before, after, window, options.signal);
  if (nodataShare > 0.2) {
    warnings.push({
      code: 'MUCH_NODATA',
      message: `About ${Math.round(nodataShare * 100)}% of the shared area has no data in one date or the other; no change can be found there.`,
    });
  }
  return { errors, warnings };
}

function afterArea(before: ImagerySet, after: ImagerySet): number {
  const bg = before.metadata.grid;
  const ag = after.metadata.grid;
  const conv = bg.crs.code === ag.crs.code ? null : converter(ag.crs, bg.crs);
  const pts = gridOutline(ag, 10).map((p) => (conv ? (conv.forward(p) as [number, number]) : p));
  let area = 0;
  for (let i = 0; i + 1 < pts.length; i++) area += pts[i][0] * pts[i + 1][1] - pts[i + 1][0] * pts[i][1];
  const gt = bg.geoTransform;
  return Math.abs(area / 2) / Math.abs(gt[1] * gt[5] - gt[2] * gt[4]);
}

async function nodataShareInOverlap(
  before: ImagerySet,
  after: ImagerySet,
  window: { x: number; y: number; width: number; height: number },
  signal?: AbortSignal,
): Promise<number> {
  const { openAlignedPair } = await import('./alignedPair');
  const roles =
    before.metadata.bandRoles.includes('red') && after.metadata.bandRoles.includes('red')
      ? ['red' as const]
      : null;
  if (!roles) return 0;
  const pair = await openAlignedPair(before, after, {
    bands: roles,
    beforeStats: [{ count: 0, mean: 0, std: 0, min: 0, max: 0, p2: 0, p98: 0 }],
    afterStats: [{ count: 0, mean: 0, std: 0, min: 0, max: 0, p2: 0, p98: 0 }],
    signal,
  });
  let valid = 0;
  let total = 0;
  for (const w of spreadSampleWindows(window.width, window.height, 16, 128)) {
    const inGrid = intersectWindows(w, { x: 0, y: 0, width: pair.grid.width, height: pair.grid.height });
    if (!inGrid) continue;
    const chunk = await pair.read(inGrid, { signal });
    for (let i = 0; i < chunk.valid.length; i++) valid += chunk.valid[i];
    total += chunk.valid.length;
  }
  return total ? 1 - valid / total : 0;
}
