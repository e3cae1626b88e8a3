// A process killed in the middle of writing to the project file leaves a file that passes integrity_check and holds
// exactly its last committed state; and SIGKILL at random moments of a run, a resume, finding regions, reviewing and
// exporting always leaves a project that resumes or redoes the step to the result of an uninterrupted one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyProject,
  exportContent,
  exportFile,
  exportStep,
  EXPORTS,
  openApp,
  projectState,
  regionsStep,
  resumeStep,
  reviewStep,
  runStep,
  STEPS,
  type App,
  type ExportKind,
  type ProjectState,
  type Step,
} from '../../cli/testing/crashSteps';
import { killed, lines, spawnTsx } from '../../cli/testing/killChild';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { ProjectStore } from './projectStore';

const LOOP = path.resolve(import.meta.dirname, 'testing/writeLoop.ts');

describe('crash safety of the project file', () => {
  it('survives SIGKILL mid-write with its last committed state', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-crash-'));
    const file = path.join(dir, 'p.gpkg');
    ProjectStore.create(file, 'Crash test').close();

    const child = spawnTsx(LOOP, [file]);
    let lastPrinted = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const numbers = chunk.toString().trim().split('\n').map(Number);
        lastPrinted = numbers[numbers.length - 1];
        if (lastPrinted >= 30) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('exit', resolve));

    // The lock of the dead process is stale: the project opens again, and the data is whole.
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const last = JSON.parse(
      (db.prepare("SELECT value FROM cm_settings WHERE key = 'last_commit'").get() as { value: string })
        .value,
    ) as number;
    // Every printed commit is durable; at most the one in flight when killed may have committed after printing.
    expect(last).toBeGreaterThanOrEqual(lastPrinted);
    expect(last).toBeLessThanOrEqual(lastPrinted + 2);
    // No transaction is half applied: all scratch rows belong to the same commit.
    const scratch = db.prepare("SELECT value FROM cm_settings WHERE key LIKE 'scratch_%'").all() as {
      value: string;
    }[];
    expect(scratch).toHaveLength(200);
    expect(new Set(scratch.map((r) => (JSON.parse(r.value) as { i: number }).i))).toEqual(new Set([last]));
    db.close();
    const store = ProjectStore.open(file);
    expect(store.summary().name).toBe('Crash test');
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Random SIGKILLs during every step that writes (issue 12): 21 trials per step, 105 in all (CHANGEMAP_KILL_TRIALS
// sets another number per step), each a child process killed after a
// delay drawn from a seeded generator, then checked and resumed or redone in this process.

const STEP_CHILD = path.resolve(import.meta.dirname, '../../cli/testing/stepChild.ts');
const TRIALS_PER_STEP = Number(process.env.CHANGEMAP_KILL_TRIALS ?? 21);
const KILL_SEED = 20261203;
/** Trials at a time: a child and a redo each, on 2 cores. */
const PARALLEL = 2;

/** mulberry32: a small seeded generator, so every run kills at the same moments. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** No regions, or regions not yet classified: what a kill between finding and classifying regions leaves. */
const unclassified = (regions: string[]) =>
  regions.length === 0 || regions.some((r) => (JSON.parse(r) as { from_class: unknown }).from_class === null);

const withoutClasses = (regions: string[]) =>
  regions.map((r) => JSON.stringify({ ...JSON.parse(r), from_class: null, to_class: null }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

async function withApp<T>(userData: string, file: string, use: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(userData, file);
  try {
    return await use(app);
  } finally {
    app.close();
  }
}

describe('SIGKILL at random moments of run, resume, regions, review and export', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-kill-steps-'));
  const base = {
    imagery: path.join(dir, 'base-imagery', 'p.gpkg'),
    done: path.join(dir, 'base-done', 'p.gpkg'),
  };
  let interrupted = '';
  /** How long each step takes uninterrupted (ms): the window the kill delays are drawn from, with a margin. */
  const took: Partial<Record<Step, number>> = {};
  let finished: ProjectState; // run 1 done with its regions, unreviewed
  let done: ProjectState; // the same with two reviews: the base of the regions, review and export steps
  let recomputed: ProjectState;
  let reviewed: ProjectState;
  const exported = new Map<ExportKind, Buffer>();
  const userData = (name: string) => path.join(dir, 'user', name);

  beforeAll(async () => {
    const grid = utmGrid(300, 260, 500_000, 5_600_000, 3);
    const before = sceneData(grid, 3, 'uint8') as Uint8Array;
    const after = before.slice();
    const n = grid.width * grid.height;
    // Eight planted changes, some across chunk borders (chunks are 256 px), bright and dark.
    const blocks = [
      [20, 30, 60, 50],
      [100, 20, 40, 30],
      [230, 40, 50, 40],
      [30, 150, 30, 60],
      [120, 120, 70, 30],
      [240, 180, 40, 60],
      [150, 220, 40, 30],
      [60, 240, 50, 15],
    ];
    blocks.forEach(([x0, y0, w, h], i) => {
      for (let b = 0; b < 3; b++)
        for (let y = y0; y < y0 + h; y++)
          for (let x = x0; x < x0 + w; x++) after[b * n + y * grid.width + x] = i % 2 ? 10 : 250;
    });
    await writeFixture(path.join(dir, 'before.tif'), grid, 3, before);
    await writeFixture(path.join(dir, 'after.tif'), grid, 3, after);

    const app = await openApp(userData('base'));
    await app.call('project:create', { path: base.imagery });
    await app.call('imagery:setFiles', { role: 'before', uris: [path.join(dir, 'before.tif')] });
    await app.call('imagery:setFiles', { role: 'after', uris: [path.join(dir, 'after.tif')] });
    app.close();

    copyProject(base.imagery, base.done);
    await withApp(userData('base'), base.done, async (a) => {
      took.run = await timed(() => runStep(a));
      finished = projectState(base.done);
      const page = await a.call('regions:list', { runId: 1, limit: 10 });
      await a.call('regions:review', { fid: page.items[0].fid, state: 'confirmed', note: 'new roofs' });
      await a.call('regions:review', { fid: page.items[1].fid, state: 'rejected', note: 'shadow' });
    });
    done = projectState(base.done);
    expect(finished.regions.length).toBeGreaterThan(2);
    expect(finished.chunks.length).toBeGreaterThan(2);

    const ref = (name: string) => {
      const file = path.join(dir, name, 'p.gpkg');
      copyProject(base.done, file);
      return file;
    };
    const regionsFile = ref('ref-regions');
    await withApp(
      userData('base'),
      regionsFile,
      async (a) => (took.regions = await timed(() => regionsStep(a))),
    );
    recomputed = projectState(regionsFile);
    expect(recomputed.regions).not.toEqual(done.regions);
    const reviewFile = ref('ref-review');
    await withApp(
      userData('base'),
      reviewFile,
      async (a) => (took.review = await timed(() => reviewStep(a))),
    );
    reviewed = projectState(reviewFile);
    const exportsFile = ref('ref-export');
    took.export = 0;
    for (const kind of EXPORTS) {
      const out = exportFile(path.join(dir, `ref-export-${kind}`), kind);
      fs.mkdirSync(path.dirname(out));
      await withApp(userData('base'), exportsFile, async (a) => {
        took.export = Math.max(took.export!, await timed(() => exportStep(a, kind, out)));
      });
      exported.set(kind, fs.readFileSync(out));
    }

    // The resume step's base: a run killed with some of its chunks done (a true kill, as the run step's trials).
    for (let attempt = 0; !interrupted && attempt < 5; attempt++) {
      const file = path.join(dir, `base-interrupted-${attempt}`, 'p.gpkg');
      copyProject(base.imagery, file);
      const child = spawnTsx(STEP_CHILD, [file, userData('base'), 'run']);
      await lines(child, (line) => line === 'started');
      // Killed as soon as the ledger shows a chunk done (polled read-only, as another process sees it).
      const doneChunks = () => {
        const db = new Database(file, { readonly: true, fileMustExist: true });
        try {
          return (
            db.prepare("SELECT count(*) AS n FROM cm_run_chunks WHERE state = 'done'").get() as { n: number }
          ).n;
        } catch {
          return 0; // the tables are not there yet
        } finally {
          db.close();
        }
      };
      for (let t = 0; t < 600 && doneChunks() === 0 && child.exitCode === null; t++) await sleep(20);
      await killed(child);
      const state = projectState(file);
      const count = state.chunks.filter((c) => c.includes(' done')).length;
      if (state.runs[0]?.status === 'running' && count > 0 && count < state.chunks.length) interrupted = file;
    }
    expect(interrupted, 'a run killed half-way').not.toBe('');
    took.resume = took.run;
  }, 240_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** One trial: copy the step's base, start the step in a child, kill it, check what is left, then finish it here. */
  async function trial(index: number): Promise<string> {
    const step = STEPS[index % STEPS.length];
    const random = seeded(KILL_SEED + index);
    const kind = EXPORTS[Math.floor(random() * EXPORTS.length)];
    const file = path.join(dir, `trial-${index}`, 'p.gpkg');
    copyProject(step === 'run' ? base.imagery : step === 'resume' ? interrupted : base.done, file);
    const user = userData(`trial-${index}`);
    const child = spawnTsx(STEP_CHILD, [file, user, step, kind]);
    let saved = 0;
    let ended = false;
    const output = lines(child, (line) => {
      if (line.startsWith('saved ')) saved = Number(line.slice(6));
      if (line === 'done') ended = true;
    }).catch(() => undefined);
    await lines(child, (line) => line === 'started');
    // Up to one and a half times the step's own duration: most kills land inside it, some after it finished.
    const delay = random() * took[step]! * 1.5;
    await sleep(delay);
    await killed(child);
    await output;
    const what = `trial ${index} (${step}${step === 'export' ? ` ${kind}` : ''}, killed after ${delay.toFixed(0)} ms${ended ? ', after it finished' : ''})`;

    const left = projectState(file);
    expect(left.integrity, what).toBe('ok');
    if (step === 'run' || step === 'resume') {
      // The ledger holds the run as it was at a commit: none yet, running, or done; a finished run stays finished.
      expect(left.runs.length, what).toBeLessThanOrEqual(1);
      if (step === 'resume') expect(left.runs[0].status, what).toMatch(/^(running|done)$/);
      await withApp(user, file, async (app) => {
        if (left.runs.length === 0) await runStep(app);
        else await resumeStep(app);
        // Killed after the run was done but before its regions were saved, or saved but not yet classified (two
        // commits: see ProjectRegions.compute): finding them is the step left to redo.
        if (unclassified(projectState(file).regions)) await app.call('regions:compute', { runId: 1 });
      });
      const final = projectState(file);
      expect(final.probability?.equals(finished.probability!), `${what}: byte-identical probability`).toBe(
        true,
      );
      expect(final.regions, `${what}: the same regions`).toEqual(finished.regions);
      expect(final.chunks, `${what}: each chunk computed once`).toEqual(finished.chunks);
    } else if (step === 'regions') {
      // Regions are replaced in one transaction: the old ones (with their reviews) or the new ones, never a mix;
      // the new ones are classified in a second commit, so a kill between leaves them without classes.
      expect([done.regions, recomputed.regions, withoutClasses(recomputed.regions)], what).toContainEqual(
        left.regions,
      );
      await withApp(user, file, (app) => regionsStep(app));
      expect(projectState(file).regions, what).toEqual(recomputed.regions);
    } else if (step === 'review') {
      // Every review the child reported saved is there, at most the one in flight besides, and nothing else changed.
      const notes = left.regions.map((r) => (JSON.parse(r) as { note: string }).note);
      const committed = notes.filter((n) => n.startsWith('review ')).length;
      expect(committed, what).toBeGreaterThanOrEqual(saved);
      expect(committed, what).toBeLessThanOrEqual(saved + 1);
      await withApp(user, file, (app) => reviewStep(app, committed + 1));
      expect(projectState(file).regions, what).toEqual(reviewed.regions);
    } else {
      // The project is only read; the export is there whole or not at all, and redone it is the same bytes.
      expect({ ...left, probability: null }, what).toEqual({ ...done, probability: null });
      const out = exportFile(path.dirname(file), kind);
      // GeoPackage and Shapefile exports record when they were written: their content is compared there.
      const reference = exportContent(kind, exported.get(kind)!);
      const content = () => exportContent(kind, fs.readFileSync(out));
      if (fs.existsSync(out)) expect(content() === reference, `${what}: whole`).toBe(true);
      else await withApp(user, file, (app) => exportStep(app, kind, out));
      expect(content() === reference, `${what}: the same export`).toBe(true);
    }
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    return what;
  }

  it(`${STEPS.length * TRIALS_PER_STEP} trials end with integrity_check ok, the last commit kept and the uninterrupted result`, async () => {
    const total = STEPS.length * TRIALS_PER_STEP;
    let next = 0;
    const results: string[] = [];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < total) results.push(await trial(next++));
      }),
    );
    expect(results).toHaveLength(total);
  }, 400_000);
});
