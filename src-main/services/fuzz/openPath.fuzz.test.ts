// Property-based fuzzing of the open path (issue 12): TIFFs, VRTs and project files made by the project's own writers,
// mutated, then opened and read as the app does. Every case either succeeds with in-bounds results or fails with a
// ChangeMapError with a code, within its time and memory bounds (harness.ts). Fixed seed and run counts keep it
// bounded in CI; CHANGEMAP_FUZZ_RUNS=<n> and CHANGEMAP_FUZZ_SEED=<n> run it longer or elsewhere. Every counterexample
// found goes, shrunk, into corpus.json's regressions and is replayed first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Results } from '../../ipc/contract';
import { dispatch } from '../../ipc/dispatch';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { projectDataDir } from '../project/projectStore';
import { AppSession } from '../session';
import { bounded, CASE_BOUNDS, PropertyViolation, Watchdog } from './harness';
import { mutateBytes, mutatePage, projectMutation, rasterCase, type Mutation } from './mutations';
import { mutateColumns, PROJECT_COLUMNS } from './projectMutations';
import { runRasterCase } from './rasterCase';
import { buildRasterSeeds, type RasterSeed, type SeedFiles } from './seeds';
import { TINY_CHANGE_CARD } from '../inference/testing/testModels';

interface Regression {
  target: 'raster' | 'project';
  seed: string;
  mutations: Mutation[];
  /** What it found and where it was fixed. */
  found: string;
}

const corpus = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'corpus.json'), 'utf8')) as {
  seeds: RasterSeed[];
  regressions: Regression[];
};
const SEED = Number(process.env.CHANGEMAP_FUZZ_SEED ?? 20261203);
const RUNS = process.env.CHANGEMAP_FUZZ_RUNS ? Number(process.env.CHANGEMAP_FUZZ_RUNS) : null;
const RASTER_RUNS = RUNS ?? 600;
const PROJECT_RUNS = RUNS ?? 100;
const PROJECT_SEED = 'project-run-regions-review';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-fuzz-'));
let rasterSeeds: Map<string, SeedFiles>;
let projectBytes: Uint8Array;
let projectDataSeed: string;
let caseNumber = 0;
const nextCaseDir = () => path.join(dir, `case-${++caseNumber}`);

// ---------------------------------------------------------------------------------------------------------------
// The project seed: a real one, made through the API (imagery, a finished run, its regions, a review).

const silent = { error: () => undefined, warn: () => undefined };

async function makeProjectSeed(): Promise<void> {
  const seedDir = path.join(dir, 'project-seed');
  fs.mkdirSync(seedDir);
  const grid = utmGrid(300, 260, 500_000, 5_600_000, 3);
  const before = sceneData(grid, 3, 'uint8') as Uint8Array;
  const after = before.slice();
  const n = grid.width * grid.height;
  for (let b = 0; b < 3; b++)
    for (let y = 40; y < 110; y++) for (let x = 30; x < 120; x++) after[b * n + y * grid.width + x] = 250;
  await writeFixture(path.join(seedDir, 'before.tif'), grid, 3, before);
  await writeFixture(path.join(seedDir, 'after.tif'), grid, 3, after);
  const session = new AppSession({
    userDataDir: path.join(seedDir, 'user'),
    version: 'test',
    shell: { transport: 'in-process' },
  });
  const call = async <C extends Channel>(channel: C, payload: unknown): Promise<Results[C]> => {
    const result = await dispatch(session.handlers(), channel, payload, silent);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as Results[C];
  };
  try {
    const file = path.join(seedDir, 'seed.gpkg');
    await call('project:create', { path: file });
    await call('imagery:setFiles', { role: 'before', uris: [path.join(seedDir, 'before.tif')] });
    await call('imagery:setFiles', { role: 'after', uris: [path.join(seedDir, 'after.tif')] });
    const regionsFound = new Promise<void>((resolve) =>
      session.events.subscribe((event) => event === 'regions:changed' && resolve()),
    );
    const run = await call('run:start', { model: TINY_CHANGE_CARD, provider: 'cpu', chunkSize: 256 });
    await regionsFound;
    const page = await call('regions:list', { runId: run.id });
    expect(page.total).toBeGreaterThan(0);
    await call('regions:review', { fid: page.items[0].fid, state: 'confirmed', note: 'a new roof' });
    await call('project:close', {});
    projectBytes = new Uint8Array(fs.readFileSync(file));
    projectDataSeed = projectDataDir(file);
  } finally {
    session.dispose();
  }
}

/** Opens a (mutated) project as the app does and reads what the app shows of it, each call under the property. */
async function runProjectCase(mutations: Mutation[], caseDir: string): Promise<string> {
  fs.mkdirSync(caseDir, { recursive: true });
  const file = path.join(caseDir, 'case.gpkg');
  let bytes = projectBytes;
  for (const m of mutations) {
    if (m.k === 'page') bytes = mutatePage(bytes, m);
    else if (m.k === 'flip' || m.k === 'truncate') bytes = mutateBytes(bytes, m);
  }
  fs.writeFileSync(file, bytes);
  fs.cpSync(projectDataSeed, projectDataDir(file), { recursive: true });
  const columns = mutations.filter((m): m is Extract<Mutation, { k: 'column' }> => m.k === 'column');
  // Column mutations need a readable database; on one the byte mutations broke they change nothing.
  try {
    mutateColumns(file, columns);
  } catch {
    // the open below reports what is wrong with the file
  }
  const session = new AppSession({
    userDataDir: path.join(caseDir, 'user'),
    version: 'test',
    shell: { transport: 'in-process' },
  });
  const unexpected: unknown[] = [];
  const logger = { error: (_: string, error?: unknown) => unexpected.push(error), warn: () => undefined };
  const codes: string[] = [];
  const call = async <C extends Channel>(channel: C, payload: unknown): Promise<Results[C] | null> => {
    const outcome = await bounded(channel, () => dispatch(session.handlers(), channel, payload, logger));
    if (!outcome.ok) throw new PropertyViolation(`dispatch itself threw ${outcome.code}`);
    const result = outcome.value;
    if (result.ok) return result.value as Results[C];
    if (result.error.code === 'INTERNAL') {
      const cause = unexpected.at(-1);
      throw new PropertyViolation(
        `${channel} failed with an unexpected ${cause instanceof Error ? `${cause.name}: ${cause.message}` : 'error'}`,
        { cause },
      );
    }
    codes.push(`${channel} ${result.error.code}`);
    return null;
  };
  try {
    if (!(await call('project:open', { path: file }))) return `refused: ${codes.join(', ')}`;
    await call('project:getMapView', {});
    await call('imagery:get', {});
    const runs = (await call('run:list', {})) ?? [];
    for (const run of runs.slice(0, 3)) {
      await call('run:get', { runId: run.id });
      await call('regions:facets', { runId: run.id });
      await call('regions:outlines', { runId: run.id, extent: [-1e9, -1e9, 1e9, 1e9] });
      const page = await call('regions:list', { runId: run.id });
      const first = page?.items[0];
      if (first) {
        await call('regions:get', { fid: first.fid });
        await call('regions:spotCheck', { fid: first.fid });
      }
      await call('export:regions', {
        runId: run.id,
        format: 'geojson',
        out: path.join(caseDir, `run-${run.id}.geojson`),
      });
      await call('export:raster', {
        runId: run.id,
        kind: 'probability',
        out: path.join(caseDir, `run-${run.id}.tif`),
      });
    }
    return codes.length ? `opened, refused: ${codes.join(', ')}` : 'opened and read';
  } finally {
    session.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function runCase(target: Regression['target'], seed: string, mutations: Mutation[]): Promise<string> {
  const caseDir = nextCaseDir();
  watchdog.enter(JSON.stringify({ target, seed, mutations }));
  try {
    if (target === 'project') return await runProjectCase(mutations, caseDir);
    const files = rasterSeeds.get(seed);
    if (!files) throw new Error(`corpus.json: no seed called ${seed}`);
    return await runRasterCase(files, mutations, caseDir);
  } finally {
    watchdog.leave();
    fs.rmSync(caseDir, { recursive: true, force: true });
  }
}

/** fast-check's run, failing with the shrunk counterexample as corpus.json takes it. */
async function holds<T>(arbitrary: fc.Arbitrary<T>, runs: number, check: (value: T) => Promise<unknown>) {
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      await check(value);
    }),
    { seed: SEED, numRuns: runs },
  );
  if (details.failed) {
    const error = details.errorInstance as Error | undefined;
    throw new Error(
      `Counterexample (add it to corpus.json's regressions): ${JSON.stringify(details.counterexample?.[0])}\n` +
        `${error?.message ?? String(details.errorInstance)}`,
      { cause: error },
    );
  }
}

let watchdog: Watchdog;

beforeAll(async () => {
  // A case that blocks the event loop for longer than a few time budgets is a hang (see Watchdog).
  watchdog = new Watchdog(CASE_BOUNDS.timeoutMs * 6);
  rasterSeeds = await buildRasterSeeds(corpus.seeds);
  await makeProjectSeed();
}, 120_000);
afterAll(async () => {
  await watchdog.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the open path under mutation', () => {
  it('opens and reads every seed unmutated (so refusals below come from the mutations)', async () => {
    for (const name of rasterSeeds.keys())
      expect([name, await runCase('raster', name, [])]).toEqual([name, 'opened and read']);
    expect(await runCase('project', PROJECT_SEED, [])).toBe('opened and read');
  });

  it.each(corpus.regressions.map((r) => [r.found, r] as const))('regression: %s', async (_, regression) => {
    await runCase(regression.target, regression.seed, regression.mutations);
  });

  it(`TIFFs and VRTs: ${RASTER_RUNS} mutated cases`, async () => {
    const tiffs = corpus.seeds.filter((s) => s.kind === 'tiff').map((s) => s.name);
    const vrts = corpus.seeds.filter((s) => s.kind === 'vrt').map((s) => s.name);
    await holds(rasterCase(tiffs, vrts), RASTER_RUNS, (c) => runCase('raster', c.seed, c.mutations));
  }, 180_000);

  it(`project files: ${PROJECT_RUNS} mutated cases`, async () => {
    const arbitrary = fc.array(projectMutation(PROJECT_COLUMNS.length), { minLength: 1, maxLength: 3 });
    await holds(arbitrary, PROJECT_RUNS, (mutations) => runCase('project', PROJECT_SEED, mutations));
  }, 180_000);
});
