// `changemap report`: the app's printable report of a run, headless. HTML needs nothing; PDF is printed by a
// browser engine found on the machine (services/report/printPdf.ts), and its absence is said in one line with
// what to install. Read-only, so it works beside a running app.
import path from 'node:path';
import { isChangeMapError } from '../core/errors';
import { cliSession } from './cliSession';
import { EXIT } from './exitCodes';
import { lastFinishedRun } from './regionsCommand';

export interface ReportOptions {
  project: string;
  out: string;
  run?: number;
  regions?: number;
  overwrite: boolean;
  json: boolean;
}

function nextStep(code: string, options: ReportOptions): string {
  if (code === 'REPORT_EXISTS') return ' Add --overwrite to replace it, or choose another --out.';
  if (code === 'RUN_NOT_FOUND')
    return ` List the runs with: changemap runs --project "${path.resolve(options.project)}"`;
  return '';
}

export async function reportCommand(options: ReportOptions): Promise<number> {
  const cli = cliSession();
  try {
    cli.session.openProject(path.resolve(options.project), { readOnly: true });
    const runId = options.run ?? (await lastFinishedRun(cli));
    const result = await cli.call('report:make', {
      runId,
      out: path.resolve(options.out),
      largestRegions: options.regions,
      overwrite: options.overwrite,
    });
    if (options.json) process.stdout.write(`${JSON.stringify({ type: 'report:done', runId, ...result })}\n`);
    else
      process.stdout.write(
        `Wrote the report of run ${runId} to ${result.path}${result.engine ? ` (printed by ${result.engine})` : ''}\n`,
      );
    return EXIT.done;
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    const message = `${error.message}${nextStep(error.code, options)}`;
    if (options.json)
      process.stdout.write(`${JSON.stringify({ type: 'report:failed', code: error.code, message })}\n`);
    else process.stderr.write(`changemap: ${message} [${error.code}]\n`);
    const whileWriting = ['REPORT_DISK_FULL', 'REPORT_IN_USE', 'REPORT_PRINT_FAILED', 'INTERNAL'];
    return whileWriting.includes(error.code) ? EXIT.failed : EXIT.refused;
  } finally {
    cli.dispose();
  }
}
