// The run pipeline with the real ONNX Runtime worker and the tiny test model (models/test/tiny-change.*).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { RunService } from './RunService';
import { syntheticPair } from './syntheticPair';
import type { RunInputs } from './runTypes';

const testModels = fileURLToPath(new URL('../../../models/test/', import.meta.url));
const card = path.join(testModels, 'tiny-change.card.json');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-onnx-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const inputs: RunInputs = { kind: 'synthetic', width: 600, height: 420, bands: 3, seed: 5 };

function service(dataDir: string) {
  const db = openMemoryProjectDb();
  const svc = new RunService({
    db,
    dataDir,
    modelDirs: [testModels],
    openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
  });
  return { svc, db };
}

async function probability(file: string): Promise<Uint8Array> {
  const image = await (await fromFile(file)).getImage();
  return ((await image.readRasters()) as unknown as Uint8Array[])[0];
}

describe('runs with the tiny ONNX model', () => {
  it('gives the same probability (within 1/255) whatever the chunk size', async () => {
    const rasters: Uint8Array[] = [];
    for (const chunkSize of [256, 512]) {
      const { svc } = service(path.join(dir, `c${chunkSize}`));
      const id = await svc.startRun({ inputs, model: card, provider: 'cpu', chunkSize, threads: 1 });
      const run = await svc.whenSettled(id);
      expect(run.status, run.error ?? '').toBe('done');
      expect(run.providerUsed).toBe('cpu');
      rasters.push(await probability(run.probabilityPath!));
    }
    let max = 0;
    for (let i = 0; i < rasters[0].length; i++) max = Math.max(max, Math.abs(rasters[0][i] - rasters[1][i]));
    expect(max).toBeLessThanOrEqual(1);
  });

  it('gives the same probability from two ONNX Runtime sessions side by side as from one', async () => {
    const rasters: Uint8Array[] = [];
    for (const sessions of [1, 2]) {
      const { svc } = service(path.join(dir, `s${sessions}`));
      // Batches of 2 in 256-px chunks: the two sessions each take batches, and the last ones are shorter.
      const request = { inputs, model: card, provider: 'cpu' as const, chunkSize: 256, batchSize: 2 };
      const id = await svc.startRun({ ...request, threads: 1, sessions });
      const run = await svc.whenSettled(id);
      expect(run.status, run.error ?? '').toBe('done');
      expect(run.params.sessions ?? 1).toBe(sessions);
      rasters.push(await probability(run.probabilityPath!));
    }
    expect(Buffer.from(rasters[1]).equals(Buffer.from(rasters[0]))).toBe(true);
  });

  it('refuses a model whose card does not match its file before any run exists', async () => {
    const original = JSON.parse(readFileSync(card, 'utf8'));
    copyFileSync(path.join(testModels, original.file), path.join(dir, 'bad.onnx'));
    writeFileSync(
      path.join(dir, 'bad.card.json'),
      JSON.stringify({
        ...original,
        file: 'bad.onnx',
        inputs: [{ ...original.inputs[0], name: 'wrong' }, original.inputs[1]],
      }),
    );
    const { svc, db } = service(path.join(dir, 'bad'));
    await expect(svc.startRun({ inputs, model: path.join(dir, 'bad.onnx') })).rejects.toMatchObject({
      code: 'MODEL_CARD_MISMATCH',
    });
    expect(db.prepare('SELECT COUNT(*) AS n FROM cm_runs').get()).toEqual({ n: 0 });
  });
});
