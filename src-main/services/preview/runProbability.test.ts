// Probability tiles of a real (fake-model) run through the run service: the tiles assembled from its chunk files
// match the tiles of its final raster.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { RunService } from '../runs/RunService';
import { syntheticPair } from '../runs/syntheticPair';
import type { RunInputs } from '../runs/runTypes';
import { fakePredictor } from '../runs/testing/fakePredictor';
import { PreviewService } from './PreviewService';
import { runProbabilityTile } from './previewTiles';
import { decodeTile, lonLatOfPixel, tilePixelOf } from './testing/tileMath';
import { SameThreadRenderer } from './tileWorkerPool';

const dirs: string[] = [];
const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const inputs: RunInputs = { kind: 'synthetic', width: 700, height: 530, bands: 3, seed: 7 };

describe('probability tiles of a run', () => {
  it('from the chunks while running equal those of the final raster once done', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cm-preview-run-'));
    dirs.push(dataDir);
    const runs = new RunService({
      db: openMemoryProjectDb(),
      dataDir,
      modelDirs: [],
      openPair: async (i) => syntheticPair(i as Extract<RunInputs, { kind: 'synthetic' }>),
      startPredictor: async () => fakePredictor(),
    });
    const id = await runs.startRun({ inputs, model: 'fake.card.json', chunkSize: 256, overlap: 8 });
    const run = await runs.whenSettled(id);
    expect(run.status).toBe('done');

    // The app's preview: tile worker threads.
    const appPreview = new PreviewService({ dataDir });
    disposers.push(() => appPreview.dispose());
    const grid = run.params.grid;
    const [lon, lat] = lonLatOfPixel(grid, 350, 265);
    const z = 15;
    const centre = tilePixelOf(lon, lat, z);
    const finals = [];
    const fromChunks = [];
    // The chunks as they were while running (same files, the run said "running").
    const preview = new PreviewService({ dataDir, renderer: new SameThreadRenderer() });
    disposers.push(() => preview.dispose());
    for (const [dx, dy] of [
      [0, 0],
      [-1, 0],
      [0, -1],
    ]) {
      const x = centre.x + dx;
      const y = centre.y + dy;
      const final = await runProbabilityTile(appPreview, runs, id, z, x, y);
      const chunked = await preview.probabilityTile(
        {
          id,
          status: 'running',
          grid,
          probabilityPath: null,
          chunks: run.chunks,
          readChunk: (idx) => runs.readChunk(id, idx),
        },
        z,
        x,
        y,
      );
      finals.push(final ? decodeTile(final.png).rgba : null);
      fromChunks.push(chunked ? decodeTile(chunked).rgba : null);
    }
    expect(finals.some(Boolean)).toBe(true);
    for (let i = 0; i < finals.length; i++) {
      expect(Boolean(fromChunks[i])).toBe(Boolean(finals[i]));
      if (finals[i]) expect(Buffer.from(fromChunks[i]!).equals(Buffer.from(finals[i]!))).toBe(true);
    }
  });
});
