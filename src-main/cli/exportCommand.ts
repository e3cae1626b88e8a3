// `changemap export`: the export dialog's formats and filters from the command line.
import path from 'node:path';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import { exportRaster } from '../services/exports/exportRaster';
import { exportRegions } from '../services/exports/exportRegions';
import { ProjectStore } from '../services/project/projectStore';
import { flag, one, UsageError, type ParsedArgs } from './args';
import { EXIT } from './runCommand';

const REGION_FORMATS = {
  geojson: 'geojson',
  shapefile: 'shapefile',
  gpkg: 'geopackage',
  csv: 'csv',
} as const;

function latestDoneRun(store: ProjectStore): number {
  const row = store.db
    .prepare("SELECT id FROM cm_runs WHERE status = 'done' ORDER BY id DESC LIMIT 1")
    .get() as { id: number } | undefined;
  if (!row) throw new ChangeMapError('EXPORT_RUN_NOT_FOUND', 'The project has no finished run to export.');
  return row.id;
}

export async function exportCommand(args: ParsedArgs): Promise<number> {
  const projectPath = one(args, 'project');
  const format = one(args, 'format');
  const out = one(args, 'out');
  if (!projectPath || !format || !out) throw new UsageError('export needs --project, --format and --out.');
  const json = flag(args, 'json');
  const overwrite = flag(args, 'overwrite');
  // Exports only read the project: a read-only open works beside a running app.
  const store = ProjectStore.open(projectPath, { readOnly: true });
  try {
    const runId = one(args, 'run') ? Number(one(args, 'run')) : latestDoneRun(store);
    let result: { path: string; featureCount?: number | null };
    if (format === 'geotiff') {
      const kind = (one(args, 'raster') ?? 'probability') as 'probability' | 'mask';
      if (kind !== 'probability' && kind !== 'mask') throw new UsageError('--raster is probability or mask.');
      const threshold = one(args, 'threshold');
      result = await exportRaster(
        store.db,
        {
          runId,
          kind,
          out: path.resolve(out),
          overwrite,
          threshold: threshold ? Number(threshold) : undefined,
        },
        { dataDir: store.dataDir },
      );
    } else if (format in REGION_FORMATS) {
      const transitions = args.flags.get('transition')?.map((t) => {
        const [from, to] = t.split(':');
        return { from: from || undefined, to: to || undefined };
      });
      const minArea = one(args, 'min-area');
      result = await exportRegions(store.db, {
        runId,
        format: REGION_FORMATS[format as keyof typeof REGION_FORMATS],
        out: withFormatExtension(path.resolve(out), format),
        crs: (one(args, 'crs') ?? 'wgs84') as 'grid' | 'wgs84',
        includeWkt: flag(args, 'wkt'),
        overwrite,
        filters: {
          reviewStates: flag(args, 'confirmed-only') ? ['confirmed'] : undefined,
          minAreaM2: minArea ? Number(minArea) : undefined,
          transitions,
        },
      });
    } else {
      throw new UsageError(`Unknown format "${format}".`);
    }
    if (json) process.stdout.write(`${JSON.stringify({ type: 'export:done', runId, ...result })}\n`);
    else {
      const count = typeof result.featureCount === 'number' ? `${result.featureCount} regions ` : '';
      process.stdout.write(`Exported ${count}to ${result.path}\n`);
    }
    return EXIT.done;
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    if (json)
      process.stdout.write(
        `${JSON.stringify({ type: 'export:failed', code: error.code, message: error.message })}\n`,
      );
    else process.stderr.write(`changemap: ${error.message} (${error.code})\n`);
    return error.code === 'EXPORT_EXISTS' ? EXIT.refused : EXIT.failed;
  } finally {
    store.close();
  }
}

/** A Shapefile export is a .zip; GIS tools recognise it only by that extension. */
export function withFormatExtension(out: string, format: string): string {
  return format === 'shapefile' && !/\.zip$/i.test(out) ? `${out}.zip` : out;
}
