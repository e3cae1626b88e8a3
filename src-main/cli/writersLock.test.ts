// Issue 10 item 8: while the app holds a project, no other writer (command-line run, resume or regions, the demo, another
// app instance) may touch it, and killing or rerunning any writer never loses a review. Every writer runs as a
// child process the way a user starts it; the ones that get killed get SIGKILL, which skips every clean-up.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../services/project/projectStore';
import { AppSession } from '../services/session';
import { CLI_BIN, runCli, tinySyntheticRunArgs } from './testing/cliChild';
import { killed, lines, spawnTsx } from './testing/killChild';

const reviewLoop = fileURLToPath(new URL('./testing/reviewLoop.ts', import.meta.url));

let dir: string;
let file: string;
let userData: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-writers-'));
  userData = path.join(dir, 'user-data');
  // The demo's own project path, so that `changemap demo --out dir` targets this very file.
  file = path.join(dir, 'ChangeMap sample.gpkg');
  const store = ProjectStore.create(file, 'Reviewed');
  const runId = Number(
    store.db
      .prepare(
        `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params)
         VALUES ('done', 'm', '1', 'x', 'cpu', '{}')`,
      )
      .run().lastInsertRowid,
  );
  const region = store.db.prepare(
    `INSERT INTO change_regions (run_id, pixel_count, area_m2, perimeter_m, prob_mean, prob_max, centroid_x,
       centroid_y, centroid_lon, centroid_lat, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, review_state, note)
     VALUES (?, 10, 90, 40, 0.8, 0.9, 0, 0, 0, 0, 0, 0, 1, 1, ?, ?)`,
  );
  region.run(runId, 'confirmed', '');
  region.run(runId, 'rejected', 'a shadow, not a building');
  for (let i = 0; i < 4; i++) region.run(runId, 'unreviewed', '');
  store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const changemap = (...args: string[]) => runCli(args, { userData, timeout: 120_000 });

interface Reviews {
  integrity: unknown;
  inode: number;
  states: string[];
  notes: string[];
  lastReview: number | null;
}

function readReviews(): Reviews {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT review_state, note FROM change_regions ORDER BY fid').all() as {
      review_state: string;
      note: string;
    }[];
    const last = db.prepare("SELECT value FROM cm_settings WHERE key = 'last_review'").get() as
      { value: string } | undefined;
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      inode: fs.statSync(file).ino,
      states: rows.map((r) => r.review_state),
      notes: rows.map((r) => r.note),
      lastReview: last ? (JSON.parse(last.value) as number) : null,
    };
  } finally {
    db.close();
  }
}

describe('the project lock against every writer', () => {
  it('keeps every review while the app holds the project and other writers start, rerun or get killed', async () => {
    const inode = fs.statSync(file).ino;
    // The "app": holds the project through AppSession and saves a review every few milliseconds.
    const app = spawnTsx(reviewLoop, [file, userData]);
    let lastPrinted = 0;
    const printed = lines(app, (line) => {
      if (line !== 'ready') lastPrinted = Number(line);
      return false;
    });
    printed.catch(() => undefined);
    await lines(app, (line) => line === 'ready');

    try {
      // Another app instance (Electron's services process and the browser host both open through AppSession).
      const other = new AppSession({
        userDataDir: userData,
        version: 'test',
        shell: { transport: 'in-process' },
      });
      expect(() => other.openProject(file)).toThrow(expect.objectContaining({ code: 'PROJECT_IN_USE' }));
      other.dispose();

      const run = changemap(...tinySyntheticRunArgs('300x300', file, '--json'));
      expect(run.status, run.stderr).toBe(3);
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
        type: 'run:refused',
        code: 'PROJECT_IN_USE',
      });

      const resume = changemap('resume', '--project', file, '--json');
      expect(resume.status, resume.stderr).toBe(3);
      expect(resume.stdout).toMatch(/PROJECT_IN_USE/);

      const regions = changemap('regions', '--project', file, '--run', '1');
      expect(regions.status, regions.stderr).toBe(3);
      expect(regions.stderr + regions.stdout).toMatch(/PROJECT_IN_USE|in another ChangeMap/);

      // The demo run again over the sample project that is open: refused before it writes anything.
      const demo = changemap('demo', '--out', dir, '--provider', 'cpu');
      expect(demo.status, demo.stdout).toBe(3);
      expect(demo.stderr).toMatch(/PROJECT_IN_USE/);
      expect(demo.stderr).toMatch(/--out/);
      expect(fs.existsSync(path.join(dir, 'imagery'))).toBe(false);

      expect(app.exitCode).toBeNull(); // the app kept saving all along
    } finally {
      // The app dies mid-save (SIGKILL: no clean-up, no lock release of its own).
      await killed(app);
    }

    const afterApp = readReviews();
    expect(afterApp.integrity).toBe('ok');
    expect(afterApp.inode).toBe(inode); // the same file, never replaced under the app
    expect(lastPrinted).toBeGreaterThan(0);
    // Every review the app reported saved is in the file (later ones may have committed with their report still
    // in the app's output buffer when it died).
    expect(afterApp.lastReview).toBeGreaterThanOrEqual(lastPrinted);
    // The reviews made before are untouched, and the latest review of each region the app worked on is there.
    expect(afterApp.states.slice(0, 2)).toEqual(['confirmed', 'rejected']);
    expect(afterApp.notes.slice(0, 2)).toEqual(['', 'a shadow, not a building']);
    for (const note of afterApp.notes.slice(2)) {
      expect(Number(/^review (\d+)$/.exec(note)?.[1])).toBeGreaterThanOrEqual(lastPrinted - 3);
    }

    // With the app gone, a rerun demo still refuses: the file holds reviews. It names what to do.
    const demo = changemap('demo', '--out', dir, '--provider', 'cpu');
    expect(demo.status, demo.stdout).toBe(3);
    expect(demo.stderr).toMatch(/PROJECT_HAS_REVIEWS/);
    expect(demo.stderr).toMatch(/--out/);
    expect(readReviews()).toEqual(afterApp);

    // A command-line run that holds the project is killed mid-run; the app opens it after and nothing is lost.
    const writer = spawn(
      process.execPath,
      [CLI_BIN, ...tinySyntheticRunArgs('1200x1200', file, '--chunk-size', '256', '--json')],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CHANGEMAP_USER_DATA: userData } },
    ) as unknown as ChildProcessWithoutNullStreams;
    await lines(writer, (line) => line.includes('"run:chunk"') && line.includes('"done"'));
    // While it runs, the app is refused, and so is the demo.
    const app2 = new AppSession({
      userDataDir: userData,
      version: 'test',
      shell: { transport: 'in-process' },
    });
    expect(() => app2.openProject(file)).toThrow(expect.objectContaining({ code: 'PROJECT_IN_USE' }));
    await killed(writer);

    app2.openProject(file);
    app2.dispose();
    const afterRun = readReviews();
    expect(afterRun.integrity).toBe('ok');
    expect({ ...afterRun, inode: afterApp.inode }).toEqual(afterApp);
    expect(afterRun.inode).toBe(inode);
  }, 240_000);
});
