// `changemap export`: the export dialog's formats and filters from the command line, through the app's own
// export requests (same defaults: every region but rejected ones). Read-only, so it works beside a running app.
import path from 'node:path';
import { isChangeMapError } from '../core/errors';
import type { ExportFilters, Request } from '../ipc/contract';
import { cliSession } from './cliSession';
import { EXIT } from './exitCodes';
import { lastFinishedRun } from './regionsCommand';

export interface ExportOptions {
  project: string;
  format: Request<'export:regions'>['format'] | 'geotiff';
  out: string;
  run?: number;
  crs?: 'grid' | 'wgs84';
  confirmedOnly: boolean;
  includeRejected: boolean;
  minArea?: number;
  transition?: string[];
  wkt: boolean;
  raster: 'probability' | 'mask';
  threshold?: number;
  overwrite: boolean;
  json: boolean;
}

/** Review states to keep: the contract's default (all but rejected) unless a flag says otherwise. */
function reviewStates(options: ExportOptions): ExportFilters['reviewStates'] | undefined {
  if (options.confirmedOnly) return ['confirmed'];
  if (options.includeRejected) return ['unreviewed', 'confirmed', 'rejected'];
  return undefined;
}

/** What to do next after a refusal, in command-line words. */
function nextStep(code: string, options: ExportOptions, runId: number | undefined): string {
  const project = `--project "${path.resolve(options.project)}"`;
  if (code === 'EXPORT_EXISTS') return ' Add --overwrite to replace it, or choose another --out.';
  if (code === 'EXPORT_NO_REGIONS') return ` Find them with: changemap regions ${project} --run ${runId}`;
  if (code === 'EXPORT_NO_GEOREFERENCE') return ' Use --format gpkg, shapefile or csv.';
  if (code === 'RUN_NOT_FOUND') return ` List the runs with: changemap runs ${project}`;
  return '';
}

export async function exportCommand(options: ExportOptions): Promise<number> {
  const cli = cliSession();
  let runId: number | undefined;
  try {
    cli.session.openProject(path.resolve(options.project), { readOnly: true });
    runId = options.run ?? (await lastFinishedRun(cli));
    const out = path.resolve(options.out);
    const result =
      options.format === 'geotiff'
        ? await cli.call('export:raster', {
            runId,
            kind: options.raster,
            out,
            threshold: options.threshold,
            // --overwrite is the user's confirmation for this --out (the contract wants the path itself).
            overwrite: options.overwrite ? out : undefined,
          })
        : await cli.call('export:regions', {
            runId,
            format: options.format,
            out,
            crs: options.crs,
            includeWkt: options.wkt,
            overwrite: options.overwrite ? out : undefined,
            filters: {
              reviewStates: reviewStates(options),
              minAreaM2: options.minArea,
              transitions: options.transition?.map((t) => {
                const [from, to] = t.split(':');
                return { from: from || undefined, to: to || undefined };
              }),
            },
          });
    if (options.json) process.stdout.write(`${JSON.stringify({ type: 'export:done', runId, ...result })}\n`);
    else {
      const count = typeof result.featureCount === 'number' ? `${result.featureCount} regions ` : '';
      process.stdout.write(`Exported ${count}to ${result.path}\n`);
    }
    return EXIT.done;
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    const message = `${error.message}${nextStep(error.code, options, runId)}`;
    if (options.json)
      process.stdout.write(`${JSON.stringify({ type: 'export:failed', code: error.code, message })}\n`);
    else process.stderr.write(`changemap: ${message} [${error.code}]\n`);
    // Failures while writing (a full disk, a file held by another program) are failures; everything else was
    // refused before a byte was written (a missing project or run, a file that exists, a run without regions).
    const whileWriting = ['EXPORT_DISK_FULL', 'DISK_FULL', 'EXPORT_IN_USE', 'EXPORT_CANCELLED', 'INTERNAL'];
    return whileWriting.includes(error.code) ? EXIT.failed : EXIT.refused;
  } finally {
    cli.dispose();
  }
}
