// `npm run bench -- models`: the shipped models' bare speed with onnxruntime-node on the CPU (2 threads), as the
// app loads them (services/inference). Targets: change detector >= 1 Mpx/s, classifier >= 100 patches/s.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChangeDetector, LandCoverClassifier } from '../src-main/services/inference/onnxModel';

const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'models');
const threads = Number(process.env.CHANGEMAP_THREADS ?? Math.min(2, os.cpus().length));

function filled(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.013 + seed);
  return a;
}

async function timeRepeated(
  seconds: number,
  work: () => Promise<void>,
): Promise<{ runs: number; ms: number }> {
  await work(); // warm-up
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < seconds * 1000) {
    await work();
    runs++;
  }
  return { runs, ms: performance.now() - start };
}

const detector = await ChangeDetector.load(path.join(models, 'changemap-change-v1.card.json'), {
  provider: 'cpu',
  threads,
});
const chip = detector.card.chipSize;
const batch = 4;
const before = filled(batch * 3 * chip * chip, 1);
const after = filled(batch * 3 * chip * chip, 2);
const change = await timeRepeated(10, async () => void (await detector.predict(before, after, batch)));
const mpxPerS = (change.runs * batch * chip * chip) / 1e6 / (change.ms / 1000);
console.log(
  `change detector ${detector.card.name} ${detector.card.version}: ${mpxPerS.toFixed(2)} Mpx/s (chip ${chip}, batch ${batch}, ${threads} threads; target >= 1)`,
);
await detector.model.session.release();

const classifier = await LandCoverClassifier.load(path.join(models, 'changemap-landcover-v1.card.json'), {
  provider: 'cpu',
  threads,
});
const size = classifier.inputSize;
const patches = 32;
const input = filled(patches * 3 * size * size, 3);
const cls = await timeRepeated(10, async () => void (await classifier.predict(input, patches)));
const perS = (cls.runs * patches) / (cls.ms / 1000);
console.log(
  `land-cover classifier ${classifier.card.name} ${classifier.card.version}: ${perS.toFixed(0)} patches/s (${size} px, batch ${patches}, ${threads} threads; target >= 100)`,
);
await classifier.dispose();
