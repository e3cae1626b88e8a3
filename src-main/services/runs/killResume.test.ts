// A run killed with SIGKILL in a child process, then resumed, gives the same raster as an uninterrupted run,
// and the ledger shows each chunk computed once.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromFile } from 'geotiff';
import { afterAll, expect, it } from 'vitest';
import { spawnTsx } from '../../cli/testing/killChild';
import { ProjectStore } from '../project/projectStore';
import { CHILD_INPUTS, childService } from './testing/runChild';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const childScript = fileURLToPath(new URL('./testing/runChild.ts', import.meta.url));

async function probability(file: string): Promise<Uint8Array> {
  const image = await (await fromFile(file)).getImage();
  return ((await image.readRasters()) as unknown as Uint8Array[])[0];
}

it('resumes a run killed mid-way without computing finished chunks again', async () => {
  const project = path.join(dir, 'killed.gpkg');
  const child = spawnTsx(childScript, [project, 'start']);
  let doneChunks = 0;
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const e = JSON.parse(line) as { type: string; state?: string };
        if (e.type === 'run:chunk' && e.state === 'done' && ++doneChunks === 3) {
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child ended ${code}`)),
    );
  });

  const store = ProjectStore.open(project);
  const service = childService(store, 0);
  const interrupted = service.getRun(1)!;
  expect(interrupted.status).toBe('running');
  const doneAtKill = interrupted.chunks.filter((c) => c.state === 'done').length;
  expect(doneAtKill).toBeGreaterThanOrEqual(3);
  expect(doneAtKill).toBeLessThan(interrupted.chunks.length);
  await service.resumeRun(1);
  const resumed = await service.whenSettled(1);
  expect(resumed.status).toBe('done');
  expect(resumed.chunks.map((c) => c.computedCount)).toEqual(resumed.chunks.map(() => 1));
  const resumedRaster = await probability(resumed.probabilityPath!);
  store.close();

  const fresh = ProjectStore.create(path.join(dir, 'fresh.gpkg'));
  const freshService = childService(fresh, 0);
  const id = await freshService.startRun({
    inputs: CHILD_INPUTS,
    model: 'fake.card.json',
    chunkSize: 256,
    overlap: 8,
    batchSize: 16,
  });
  const reference = await freshService.whenSettled(id);
  expect(await probability(reference.probabilityPath!)).toEqual(resumedRaster);
  fresh.close();
});
