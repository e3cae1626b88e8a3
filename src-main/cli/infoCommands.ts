// `changemap models`, `providers`, `runs`: what is available and what a project holds.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isChangeMapError } from '../core/errors';
import { listModels } from '../services/inference/modelCatalog';
import { listProviders } from '../services/inference/providers';
import { ProjectStore } from '../services/project/projectStore';
import { RunLedger } from '../services/runs/runLedger';
import { EXIT } from './exitCodes';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function print(json: boolean, value: unknown, lines: string[]): number {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${lines.join('\n')}\n`);
  return 0;
}

export async function modelsCommand(json: boolean): Promise<number> {
  const models = listModels([path.join(repoRoot, 'models'), path.join(repoRoot, 'models', 'test')]);
  return print(
    json,
    models,
    models.map((m) => `${m.name} ${m.version} (${m.task})  ${m.cardPath}`),
  );
}

export async function providersCommand(json: boolean): Promise<number> {
  const providers = await listProviders();
  return print(
    json,
    providers,
    providers.map(
      (p) => `${p.id.padEnd(7)} ${p.available ? 'available' : `unavailable: ${p.reason}`}  (${p.label})`,
    ),
  );
}

export async function runsCommand(file: string, json: boolean): Promise<number> {
  let store: ProjectStore;
  try {
    store = ProjectStore.open(path.resolve(file), { readOnly: true });
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    // Refused before reading anything: one sentence with the code, like every other command.
    if (json)
      process.stdout.write(
        `${JSON.stringify({ type: 'runs:refused', code: error.code, message: error.message })}\n`,
      );
    else process.stderr.write(`changemap: ${error.message} [${error.code}]\n`);
    return EXIT.refused;
  }
  try {
    const ledger = new RunLedger(store.db);
    const runs = ledger.list().map((r) => {
      const full = ledger.get(r.id)!;
      const done = full.chunks.filter((c) => c.state === 'done').length;
      return {
        ...r,
        chunksDone: done,
        chunksTotal: full.chunks.length,
        probabilityPath: full.probabilityPath,
        fromDateId: full.dates.from,
        toDateId: full.dates.to,
      };
    });
    // The series' dates, so `run --date-ids` can name them.
    const dates = store.db
      .prepare(
        `SELECT s.id, s.acquired_at, (SELECT group_concat(uri, ' ') FROM cm_imagery_files f WHERE f.set_id = s.id)
           AS uris FROM cm_imagery_sets s ORDER BY s.position, s.id`,
      )
      .all() as { id: number; acquired_at: string | null; uris: string | null }[];
    return print(json, runs, [
      ...dates.map((d) => `date ${d.id}  ${d.acquired_at ?? 'date unknown'}  ${d.uris ?? ''}`),
      ...runs.map(
        (r) =>
          `run ${r.id}  ${r.status.padEnd(9)} ${r.chunksDone}/${r.chunksTotal} chunks  ${r.modelName}  dates ${r.fromDateId ?? '?'} -> ${r.toDateId ?? '?'}  ${r.createdAt}`,
      ),
    ]);
  } finally {
    store.close();
  }
}
