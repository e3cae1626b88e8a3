// Needs the tiny test model (models/test/tiny-change.onnx + card), made by the models' training scripts.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from './onnxModel';
import { InferenceWorker } from './inferenceWorker';
import { listModels } from './modelCatalog';

const testModels = fileURLToPath(new URL('../../../models/test/', import.meta.url));
const card = path.join(testModels, 'tiny-change.card.json');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a card edited freely into invalid shapes
type LooseCard = Record<string, any>;

/** A copy of the tiny model with its card edited (and optionally its file replaced). */
function variant(name: string, edit: (c: LooseCard) => void, bytes?: Buffer): string {
  const original = JSON.parse(readFileSync(card, 'utf8'));
  const onnx = path.join(dir, `${name}.onnx`);
  if (bytes) writeFileSync(onnx, bytes);
  else copyFileSync(path.join(testModels, original.file), onnx);
  original.file = `${name}.onnx`;
  edit(original);
  const cardPath = path.join(dir, `${name}.card.json`);
  writeFileSync(cardPath, JSON.stringify(original));
  return cardPath;
}

describe('ONNX change model', () => {
  it('loads, lists and predicts chips on the CPU', async () => {
    expect(listModels([testModels]).map((m) => m.name)).toContain(
      JSON.parse(readFileSync(card, 'utf8')).name,
    );
    const d = await ChangeDetector.load(card, { provider: 'cpu' });
    expect(d.providerUsed).toBe('cpu');
    const n = 2;
    const size = n * d.bands * d.chipSize * d.chipSize;
    const out = await d.predict(new Float32Array(size), new Float32Array(size).fill(1), n);
    expect(out.length).toBe(n * d.chipSize * d.chipSize);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    await d.dispose();
  });

  it('refuses a card whose inputs do not match the file', async () => {
    const renamed = variant('renamed', (c) => (c.inputs[0].name = 'not_the_input'));
    await expect(ChangeDetector.load(renamed)).rejects.toMatchObject({ code: 'MODEL_CARD_MISMATCH' });
    const resized = variant('resized', (c) => {
      c.chipSize = c.chipSize * 2;
      for (const t of [...c.inputs, ...c.outputs])
        t.shape = t.shape.map((d: number | string, i: number) =>
          i >= 2 && typeof d === 'number' ? d * 2 : d,
        );
    });
    const loaded = ChangeDetector.load(resized).then(
      () => 'loaded',
      (e: { code: string }) => e.code,
    );
    // A model with fixed spatial axes refuses the wrong chip size; one with dynamic axes may accept it.
    expect(['MODEL_CARD_MISMATCH', 'loaded', 'MODEL_SELF_TEST_FAILED']).toContain(await loaded);
  });

  it('refuses a file whose checksum differs from the card, and a corrupt file', async () => {
    const wrongSum = variant('wrongsum', (c) => (c.sha256 = '0'.repeat(64)));
    await expect(ChangeDetector.load(wrongSum)).rejects.toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH' });
    const junk = Buffer.from('this is not an onnx model at all');
    const corrupt = variant(
      'corrupt',
      (c) => (c.sha256 = createHash('sha256').update(junk).digest('hex')),
      junk,
    );
    await expect(ChangeDetector.load(corrupt)).rejects.toMatchObject({ code: 'MODEL_CORRUPT' });
  });

  it('runs in a worker thread and reports its errors with their codes', async () => {
    const w = await InferenceWorker.start(card, { provider: 'auto' });
    const { chipSize, bands } = w.info;
    const size = bands * chipSize * chipSize;
    const out = await w.predict(new Float32Array(size), new Float32Array(size), 1);
    expect(out.length).toBe(chipSize * chipSize);
    expect(w.busyMillis).toBeGreaterThan(0);
    // Inputs in memory shared with the worker are read in place (not moved away), are not handed out twice while a
    // batch uses them, are free again once it is answered, and give the same answer as arrays moved to the worker.
    const values = (k: number) => Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.1 + k));
    const inputs = w.inputsFor(size);
    expect(inputs.before.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([inputs.before.length, inputs.after.length]).toEqual([size, size]);
    inputs.before.set(values(1));
    inputs.after.set(values(2));
    const pending = w.predict(inputs.before, inputs.after, 1);
    expect(w.inputsFor(size).before.buffer).not.toBe(inputs.before.buffer);
    const shared = await pending;
    expect(inputs.before.length).toBe(size);
    expect(shared).toEqual(await w.predict(values(1), values(2), 1));
    // Sent again and answered twice, it is still handed out once.
    await w.predict(inputs.before, inputs.after, 1);
    await w.predict(inputs.before, inputs.after, 1);
    expect(w.inputsFor(size).before.buffer).toBe(inputs.before.buffer);
    expect(w.inputsFor(size).before.buffer).not.toBe(inputs.before.buffer);
    await w.terminate();
    const renamed = variant('renamed2', (c) => (c.outputs[0].name = 'nope'));
    await expect(InferenceWorker.start(renamed)).rejects.toMatchObject({ code: 'MODEL_CARD_MISMATCH' });
  });
});

const landCoverCard = path.join(testModels, 'tiny-landcover.card.json');
describe('a prestarted inference worker', () => {
  it('is taken by the next start, or ended at a safe point when no run takes it', async () => {
    InferenceWorker.prestart();
    expect(await InferenceWorker.releaseSpare()).toBe(true);
    expect(await InferenceWorker.releaseSpare()).toBe(false);
    InferenceWorker.prestart();
    const w = await InferenceWorker.start(card, { provider: 'cpu' });
    expect(await InferenceWorker.releaseSpare()).toBe(false); // the run took it
    await w.terminate();
  });
});

describe('ONNX land-cover classifier', () => {
  it('gives one probability per class for each patch, and refuses a change model', async () => {
    const { LandCoverClassifier } = await import('./onnxModel');
    const c = await LandCoverClassifier.load(landCoverCard, { provider: 'cpu' });
    const n = 3;
    const patches = new Float32Array(n * c.card.bands.length * c.inputSize * c.inputSize).map((_, i) =>
      Math.sin(i),
    );
    const p = await c.predict(patches, n);
    const k = c.card.classes.length;
    expect(p.length).toBe(n * k);
    for (let i = 0; i < n; i++)
      expect(p.slice(i * k, (i + 1) * k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    await c.dispose();
    await expect(LandCoverClassifier.load(card)).rejects.toMatchObject({ code: 'MODEL_WRONG_TASK' });
  });
});
