// `changemap regions`: finds and classifies a finished run's change regions again, with the one settings rule
// (saved for the run, else the model card's, else the fallback) for every setting not given as a flag.
import path from 'node:path';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import type { RegionSettings } from '../ipc/contract';
import type { RegionsComputed } from '../services/regions/ProjectRegions';
import { cliSession, type CliSession } from './cliSession';
import { EXIT } from './exitCodes';

export interface RegionsOptions {
  project: string;
  run?: number;
  settings: Partial<RegionSettings>;
  json: boolean;
}

/** "17 regions at threshold 0.15 (opening 1 px, closing 0 px, at least 300 m²), 2.1 s" */
export function describeRegions(r: RegionsComputed): string {
  const s = r.settings;
  return `Run ${r.runId}: ${r.regionCount} regions at threshold ${s.threshold} (opening ${s.openingRadius} px, closing ${s.closingRadius} px, at least ${s.minAreaM2} m²), found and classified in ${r.seconds.toFixed(1)} s.`;
}

/** The run a command means when none is named: the project's last finished run. */
export async function lastFinishedRun(cli: CliSession): Promise<number> {
  const done = (await cli.call('run:list', {})).filter((r) => r.status === 'done');
  const last = done.at(-1);
  if (!last)
    throw new ChangeMapError(
      'RUN_NOT_FOUND',
      'The project has no finished run; start one with changemap run.',
    );
  return last.id;
}

export async function regionsCommand(options: RegionsOptions): Promise<number> {
  const cli = cliSession();
  const say = (value: object, text: string) =>
    options.json ? process.stdout.write(`${JSON.stringify(value)}\n`) : process.stderr.write(`${text}\n`);
  cli.session.events.subscribe((event, payload) => {
    if (event === 'log:warning') {
      const { message } = payload as { message: string };
      say({ type: 'warning', message }, `warning: ${message}`);
    }
  });
  try {
    let runId: number;
    try {
      await cli.call('project:open', { path: path.resolve(options.project) });
      runId = options.run ?? (await lastFinishedRun(cli));
    } catch (error) {
      if (!isChangeMapError(error)) throw error;
      say(
        { type: 'regions:refused', code: error.code, message: error.message },
        `changemap: ${error.message} [${error.code}]`,
      );
      return EXIT.refused;
    }
    try {
      const computed = await cli.call('regions:compute', { runId, ...options.settings });
      say({ type: 'regions:done', ...computed }, describeRegions(computed));
      const page = await cli.call('regions:list', { runId, limit: 5 });
      if (!options.json)
        for (const r of page.items)
          process.stderr.write(
            `  #${r.fid}  ${r.areaM2.toFixed(0)} m²  ${r.fromClass ?? '?'} -> ${r.toClass ?? '?'}  (p=${r.probMean.toFixed(2)})\n`,
          );
      return EXIT.done;
    } catch (error) {
      if (!isChangeMapError(error)) throw error;
      say(
        { type: 'regions:failed', code: error.code, message: error.message },
        `changemap: ${error.message} [${error.code}]`,
      );
      return error.code === 'RUN_NOT_FOUND' || error.code === 'RUN_NOT_FINISHED' ? EXIT.refused : EXIT.failed;
    }
  } finally {
    cli.dispose();
  }
}
