// The steps the crash trials kill, each done through the app's API exactly as the app does it, in one place: the
// child process (stepChild.ts) runs a step to be killed, and the test runs the same step uninterrupted for its
// reference and to redo an interrupted one. Plus what a trial compares: a project's lasting state, read directly.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import type { Channel, Events, Results } from '../../ipc/contract';
import { dispatch } from '../../ipc/dispatch';
import { projectDataDir } from '../../services/project/projectStore';
import { TINY_CHANGE_CARD } from '../../services/inference/testing/testModels';
import { AppSession } from '../../services/session';

export const STEPS = ['run', 'resume', 'regions', 'review', 'export'] as const;
export type Step = (typeof STEPS)[number];
/** The threshold the regions step finds regions at again (the run's own is the card's). */
export const RECOMPUTE_THRESHOLD = 0.3;

const silent = { error: () => undefined, warn: () => undefined };

export interface App {
  session: AppSession;
  call<C extends Channel>(channel: C, payload: unknown): Promise<Results[C]>;
  /** The next event of that name for this run; rejects on the run's or its regions' failure. */
  next<E extends 'run:done' | 'regions:changed'>(name: E, runId?: number): Promise<Events[E]>;
  close(): void;
}

export function openApp(userDataDir: string, project?: string): Promise<App> {
  const session = new AppSession({ userDataDir, version: 'test', shell: { transport: 'in-process' } });
  const app: App = {
    session,
    async call(channel, payload) {
      const result = await dispatch(session.handlers(), channel, payload, silent);
      if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
      return result.value as never;
    },
    next(name, runId) {
      return new Promise((resolve, reject) => {
        const off = session.events.subscribe((event, payload) => {
          const p = payload as { runId?: number; message?: string };
          if (runId !== undefined && p.runId !== runId) return;
          if (event === 'run:failed' || event === 'regions:failed') {
            off();
            reject(new Error(`${event}: ${p.message}`));
          } else if ((event as string) === name) {
            off();
            resolve(payload as never);
          }
        });
      });
    },
    close: () => session.dispose(),
  };
  return project ? app.call('project:open', { path: project }).then(() => app) : Promise.resolve(app);
}

/** Starts the run (step 'run') and waits until it and its regions are done. */
export async function runStep(app: App): Promise<number> {
  const regions = app.next('regions:changed');
  const run = await app.call('run:start', { model: TINY_CHANGE_CARD, provider: 'cpu', chunkSize: 256 });
  await regions;
  return run.id;
}

/** Resumes run 1 (step 'resume'; also the redo of an interrupted run) until it and its regions are done. */
export async function resumeStep(app: App): Promise<void> {
  const run = await app.call('run:get', { runId: 1 });
  if (run.status === 'done') return;
  const regions = app.next('regions:changed', 1);
  await app.call('run:resume', { runId: 1 });
  await regions;
}

export async function regionsStep(app: App): Promise<void> {
  await app.call('regions:compute', { runId: 1, threshold: RECOMPUTE_THRESHOLD });
}

/** The reviews of the review step, in order: every region of run 1, largest first. */
export async function plannedReviews(
  app: App,
): Promise<{ fid: number; state: 'confirmed' | 'rejected'; note: string }[]> {
  const page = await app.call('regions:list', { runId: 1, limit: 1000 });
  return page.items.map((r, i) => ({
    fid: r.fid,
    state: i % 3 === 2 ? 'rejected' : 'confirmed',
    note: `review ${i + 1}`,
  }));
}

/** Saves reviews from number `from` (1-based) on, calling `saved(n)` after review n is committed. */
export async function reviewStep(
  app: App,
  from = 1,
  saved: (n: number) => void = () => undefined,
): Promise<void> {
  const reviews = await plannedReviews(app);
  for (let n = from; n <= reviews.length; n++) {
    await app.call('regions:review', reviews[n - 1]);
    saved(n);
  }
}

export const EXPORTS = ['geojson', 'csv', 'gpkg', 'shapefile', 'probability'] as const;
export type ExportKind = (typeof EXPORTS)[number];

export function exportFile(dir: string, kind: ExportKind): string {
  const ext = { geojson: 'geojson', csv: 'csv', gpkg: 'gpkg', shapefile: 'zip', probability: 'tif' }[kind];
  return path.join(dir, `export.${ext}`);
}

export async function exportStep(app: App, kind: ExportKind, out: string): Promise<void> {
  if (kind === 'probability') await app.call('export:raster', { runId: 1, kind: 'probability', out });
  else await app.call('export:regions', { runId: 1, format: kind, out, crs: 'wgs84' });
}

/**
 * What an export holds, for comparing two of them: the bytes, except where a format records when it was written
 * (a GeoPackage's gpkg_contents.last_change, the times in a Shapefile zip's entries): there the content itself.
 */
export function exportContent(kind: ExportKind, bytes: Buffer): string {
  if (kind === 'shapefile') {
    const entries = unzipSync(bytes);
    return JSON.stringify(
      Object.keys(entries)
        .sort()
        .map((name) => [name, Buffer.from(entries[name]).toString('base64')]),
    );
  }
  if (kind !== 'gpkg') return bytes.toString('base64');
  const db = new Database(bytes);
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    return JSON.stringify(
      tables.map(({ name }) => [
        name,
        (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).map((row) =>
          JSON.stringify({ ...row, last_change: null }, (_, v: unknown) =>
            v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
          ),
        ),
      ]),
    );
  } finally {
    db.close();
  }
}

/** Copies a project (file, its write-ahead log where a killed writer left one, data folder) that no one has open. */
export function copyProject(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  if (fs.existsSync(`${from}-wal`)) fs.copyFileSync(`${from}-wal`, `${to}-wal`);
  if (fs.existsSync(projectDataDir(from)))
    fs.cpSync(projectDataDir(from), projectDataDir(to), { recursive: true });
}

export interface ProjectState {
  integrity: string;
  runs: { id: number; status: string }[];
  /** Each chunk's state and how often it was computed, run by run. */
  chunks: string[];
  /** The regions of run 1, their outline, figures, classes and review, without their ids. */
  regions: string[];
  /** The probability raster of run 1, when the run says it has one. */
  probability: Buffer | null;
}

/** A project's lasting state as another process sees it after a crash (read-only, no lock taken). */
export function projectState(file: string): ProjectState {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const runs = db.prepare('SELECT id, status, probability_path FROM cm_runs ORDER BY id').all() as {
      id: number;
      status: string;
      probability_path: string | null;
    }[];
    const chunks = (
      db
        .prepare('SELECT run_id, idx, state, computed_count FROM cm_run_chunks ORDER BY run_id, idx')
        .all() as {
        run_id: number;
        idx: number;
        state: string;
        computed_count: number;
      }[]
    ).map((c) => `${c.run_id}/${c.idx} ${c.state} x${c.computed_count}`);
    const regions = (
      db
        .prepare(
          `SELECT hex(geom) AS geom, pixel_count, area_m2, prob_mean, prob_max, from_class, to_class, review_state, note
           FROM change_regions WHERE run_id = 1 ORDER BY area_m2 DESC, hex(geom)`,
        )
        .all() as Record<string, unknown>[]
    ).map((r) => JSON.stringify(r));
    const run1 = runs.find((r) => r.id === 1);
    const raster = run1?.status === 'done' && run1.probability_path;
    const rasterPath = raster ? path.resolve(projectDataDir(file), raster) : null;
    return {
      integrity: String(db.pragma('integrity_check', { simple: true })),
      runs: runs.map(({ id, status }) => ({ id, status })),
      chunks,
      regions,
      probability: rasterPath && fs.existsSync(rasterPath) ? fs.readFileSync(rasterPath) : null,
    };
  } finally {
    db.close();
  }
}
