// The summary table of a boundary layer joined to a run, one row per feature (BOUNDARY_SUMMARY_ATTRIBUTES): as CSV
// (with its .csvt of column types for GDAL and QGIS) or as a GeoPackage layer "boundary_summary" holding the
// features' outlines in WGS 84. Written atomically like every export; an existing file is replaced only on request.
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ChangeMapError } from '../../core/errors';
import { encodeCsv, encodeCsvt, type CsvtType } from '../../core/exportFormats/csv';
import {
  BOUNDARY_SUMMARY_ATTRIBUTES,
  type BoundarySummaryRow,
} from '../../core/exportFormats/regionAttributes';
import { decodeGpkgMultiPolygon } from '../../core/geo/gpkgGeometry';
import { describeTransition } from '../../core/regions/transitionText';
import type { ExportResult, ParsedRequest } from '../../ipc/contract';
import { crsDefinitionOf, WGS84_EPSG } from '../exports/crsDefinitions';
import { csvtPathFor } from '../exports/exportTarget';
import { encodeFeatureGeoPackage } from '../exports/geoPackageWriter';
import { writeFileAtomic } from '../fileSafety/atomicWrite';
import { joinState } from './boundaryJoin';
import { getBoundaryLayer } from './boundaryLayers';
import { featureChangeRows } from './featureChange';

type Db = Database.Database;

export const SUMMARY_LAYER = 'boundary_summary';

const CSVT: Record<'integer' | 'real' | 'text', CsvtType> = {
  integer: 'Integer',
  real: 'Real',
  text: 'String',
};

/** The summary rows of a layer joined to a run, largest changed area first; refused when not joined. */
export function boundarySummaryRows(
  db: Db,
  layerId: number,
  runId: number,
): (BoundarySummaryRow & { fid: number })[] {
  const layer = getBoundaryLayer(db, layerId);
  const state = joinState(db, layerId, runId);
  if (!state)
    throw new ChangeMapError(
      'BOUNDARY_NOT_JOINED',
      `Layer ${layer.name} is not joined to run ${runId} yet; join it first (boundaries:join, or changemap boundaries join).`,
    );
  if (!state.current)
    throw new ChangeMapError(
      'BOUNDARY_JOIN_STALE',
      `Run ${runId}'s regions changed since layer ${layer.name} was joined; join it again first.`,
    );
  return featureChangeRows(db, layerId, runId).map((f) => ({
    fid: f.fid,
    featureId: f.key,
    name: f.label,
    areaM2: f.areaM2,
    changedM2: f.changedM2,
    changedPct: f.changedPct,
    regionCount: f.regionCount,
    transitions: f.transitions.map((t) => ({ text: describeTransition(t.from, t.to), areaM2: t.areaM2 })),
    reviews: f.reviews,
    runId,
    layerName: layer.name,
  }));
}

export async function exportBoundarySummary(
  db: Db,
  request: ParsedRequest<'boundaries:exportSummary'>,
): Promise<ExportResult> {
  const rows = boundarySummaryRows(db, request.layerId, request.runId);
  const out = path.resolve(request.out);
  // Where it may write (never the project or its imagery; a yes replaces only a file of this kind) is checked by
  // the handler (exports/exportTarget checkWriteTarget), as for reports and accuracy samples.
  const atomic = { overwrite: request.overwrite, codePrefix: 'EXPORT' };
  const attributes = BOUNDARY_SUMMARY_ATTRIBUTES;
  if (request.format === 'csv') {
    await writeFileAtomic(
      out,
      encodeCsv(
        attributes.map((a) => a.name),
        rows.map((r) => attributes.map((a) => a.value(r))),
      ),
      atomic,
    );
    await writeFileAtomic(csvtPathFor(out), encodeCsvt(attributes.map((a) => CSVT[a.kind])), {
      ...atomic,
      overwrite: true,
    });
  } else {
    const geometry = db.prepare('SELECT geom FROM boundary_features WHERE fid = ?');
    const bytes = encodeFeatureGeoPackage(
      {
        name: SUMMARY_LAYER,
        description: 'Change per boundary feature, exported from ChangeMap',
        columns: attributes,
        features: rows.map((r) => ({
          fid: r.fid,
          geometry: decodeGpkgMultiPolygon((geometry.get(r.fid) as { geom: Uint8Array }).geom).geometry,
          values: attributes.map((a) => a.value(r)),
        })),
      },
      crsDefinitionOf(WGS84_EPSG),
    );
    await writeFileAtomic(out, bytes, atomic);
  }
  return { path: out, featureCount: rows.length };
}
