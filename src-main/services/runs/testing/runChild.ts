// A run in a child process, for the kill-and-resume test: `node --import tsx runChild.ts <project> start|resume`.
// Prints every run event as one JSON line; the parent kills it with SIGKILL mid-way.
import { ProjectStore } from '../../project/projectStore';
import { RunService } from '../RunService';
import { syntheticPair } from '../syntheticPair';
import type { RunInputs } from '../runTypes';
import { fakePredictor } from './fakePredictor';
import fs from 'node:fs';

export const CHILD_INPUTS: RunInputs = { kind: 'synthetic', width: 700, height: 530, bands: 3, seed: 11 };

export function childService(store: ProjectStore, delayMs: number): RunService {
  return new RunService({
    db: store.db,
    dataDir: store.dataDir,
    modelDirs: [],
    openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
    startPredictor: async () => fakePredictor({ delayMs }),
  });
}

async function child(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  const store = fs.existsSync(file) ? ProjectStore.open(file) : ProjectStore.create(file);
  const service = childService(store, 40);
  service.subscribe((e) => process.stdout.write(`${JSON.stringify(e)}\n`));
  const id =
    mode === 'resume'
      ? (await service.resumeRun(1), 1)
      : await service.startRun({
          inputs: CHILD_INPUTS,
          model: 'fake.card.json',
          chunkSize: 256,
          overlap: 8,
          batchSize: 16,
        });
  await service.whenSettled(id);
  store.close();
}

if (process.argv[1]?.endsWith('runChild.ts')) void child();
