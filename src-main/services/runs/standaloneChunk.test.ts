// A chunk computed on its own (a scale-out worker's job: every chip touching it, read with its whole halo) is byte for
// byte the same chunk of a local run, where neighbouring chunks share their border chips. (Both blend chips in the
// lattice's order, so their float sums agree too; on this fixture the old order did not flip a byte either.)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ProjectStore } from '../project/projectStore';
import { computeStandaloneChunk } from './runEngine';
import { syntheticPair } from './syntheticPair';
import { CHILD_INPUTS, childService } from './testing/runChild';
import { fakePredictor } from './testing/fakePredictor';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-standalone-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('computes each chunk alone with the bytes the whole run stored for it', async () => {
  const store = ProjectStore.create(path.join(dir, 'p.gpkg'));
  const service = childService(store, 0);
  const id = await service.startRun({
    inputs: CHILD_INPUTS,
    model: 'fake.card.json',
    chunkSize: 256,
    overlap: 8,
    batchSize: 5,
  });
  const run = await service.whenSettled(id);
  expect(run.status).toBe('done');
  const source = syntheticPair(CHILD_INPUTS as Parameters<typeof syntheticPair>[0]);
  const predictor = fakePredictor();
  let differing = 0;
  for (const chunk of run.chunks) {
    const alone = await computeStandaloneChunk(
      { run, predictor, source, signal: new AbortController().signal },
      chunk.window,
    );
    const stored = (await service.readChunk(id, chunk.idx))!.data;
    if (!Buffer.from(alone).equals(Buffer.from(stored))) differing++;
  }
  expect(run.chunks.length).toBe(9);
  expect(differing).toBe(0);
  store.close();
});
