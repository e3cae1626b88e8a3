// `changemap boundaries add|list|summary`: boundary layers (parcels, districts) from the command line, through the
// app's own boundary requests. `summary` joins the layer to a run where it is not joined yet (or its regions changed
// since) and writes the per-feature table as CSV or a GeoPackage layer, headless.
import path from 'node:path';
import { isChangeMapError } from '../core/errors';
import type { BoundaryLayerSummary } from '../ipc/contract';
import { cliSession, type CliSession } from './cliSession';
import { EXIT } from './exitCodes';
import { lastFinishedRun } from './regionsCommand';

export interface BoundariesAddOptions {
  project: string;
  file: string;
  layer?: string;
  name?: string;
  labelField?: string;
  json: boolean;
}

export interface BoundariesSummaryOptions {
  project: string;
  out: string;
  /** Layer id; default: the last layer added. */
  layer?: number;
  run?: number;
  /** Default: from the file's extension (.gpkg: GeoPackage, else CSV). */
  format?: 'csv' | 'gpkg';
  overwrite: boolean;
  json: boolean;
}

function describeLayer(l: BoundaryLayerSummary): string {
  return `Layer ${l.id} "${l.name}": ${l.featureCount} features (${l.format}, ${l.crs}), named by ${l.labelField ?? 'their id'}.`;
}

/** Runs a command body; a refusal (ChangeMapError) prints one line with its code and the next step. */
async function guarded(json: boolean, body: (cli: CliSession) => Promise<number>): Promise<number> {
  const cli = cliSession();
  try {
    return await body(cli);
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    const next =
      error.code === 'EXPORT_EXISTS'
        ? ' Add --overwrite to replace it, or choose another --out.'
        : error.code === 'BOUNDARY_LAYER_NOT_FOUND'
          ? ' List the layers with: changemap boundaries list --project P'
          : '';
    if (json)
      process.stdout.write(
        `${JSON.stringify({ type: 'boundaries:failed', code: error.code, message: error.message })}\n`,
      );
    else process.stderr.write(`changemap: ${error.message}${next} [${error.code}]\n`);
    return ['DISK_FULL', 'EXPORT_DISK_FULL', 'EXPORT_IN_USE', 'INTERNAL'].includes(error.code)
      ? EXIT.failed
      : EXIT.refused;
  } finally {
    cli.dispose();
  }
}

export function boundariesAddCommand(options: BoundariesAddOptions): Promise<number> {
  return guarded(options.json, async (cli) => {
    await cli.call('project:open', { path: path.resolve(options.project) });
    const layer = await cli.call('boundaries:add', {
      path: path.resolve(options.file),
      layer: options.layer,
      name: options.name,
      labelField: options.labelField,
    });
    if (options.json) process.stdout.write(`${JSON.stringify({ type: 'boundaries:added', ...layer })}\n`);
    else process.stdout.write(`${describeLayer(layer)}\n`);
    return EXIT.done;
  });
}

export function boundariesListCommand(options: { project: string; json: boolean }): Promise<number> {
  return guarded(options.json, async (cli) => {
    cli.session.openProject(path.resolve(options.project), { readOnly: true });
    const layers = await cli.call('boundaries:list', {});
    if (options.json) process.stdout.write(`${JSON.stringify({ type: 'boundaries:list', layers })}\n`);
    else if (layers.length === 0)
      process.stdout.write('No boundary layers; add one with changemap boundaries add.\n');
    else for (const l of layers) process.stdout.write(`${describeLayer(l)}\n`);
    return EXIT.done;
  });
}

export function boundariesSummaryCommand(options: BoundariesSummaryOptions): Promise<number> {
  return guarded(options.json, async (cli) => {
    await cli.call('project:open', { path: path.resolve(options.project) });
    const runId = options.run ?? (await lastFinishedRun(cli));
    const layers = await cli.call('boundaries:list', {});
    const layerId = options.layer ?? layers.at(-1)?.id;
    if (layerId === undefined) {
      await cli.call('boundaries:features', { layerId: 1 }); // refused with BOUNDARY_LAYER_NOT_FOUND
      return EXIT.refused;
    }
    const page = await cli.call('boundaries:features', { layerId, runId, limit: 1 });
    if (!page.join?.current) {
      const joined = await cli.call('boundaries:join', { layerId, runId });
      if (!options.json)
        process.stderr.write(
          `Joined ${joined.regionsJoined} of ${joined.regionsTotal} regions to ${joined.features} features in ${joined.seconds.toFixed(1)} s.\n`,
        );
    }
    const format = options.format ?? (/\.gpkg$/i.test(options.out) ? 'gpkg' : 'csv');
    const result = await cli.call('boundaries:exportSummary', {
      layerId,
      runId,
      format,
      out: path.resolve(options.out),
      overwrite: options.overwrite,
    });
    if (options.json)
      process.stdout.write(`${JSON.stringify({ type: 'boundaries:summary', layerId, runId, ...result })}\n`);
    else process.stdout.write(`Wrote the summary of ${result.featureCount} features to ${result.path}\n`);
    return EXIT.done;
  });
}
