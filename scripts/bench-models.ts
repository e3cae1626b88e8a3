// `npm run bench -- models` (or `npm run bench:models`): every shipped model's bare speed with onnxruntime-node on the CPU (2 threads), as the
// app loads them (services/inference). Targets: change detector >= 1 Mpx/s, classifier >= 100 patches/s.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listModels } from '../src-main/services/inference/modelCatalog';
import { ChangeDetector, LandCoverClassifier } from '../src-main/services/inference/onnxModel';

const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'models');
const threads = Number(process.env.CHANGEMAP_THREADS ?? Math.min(2, os.cpus().length));

function filled(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.013 + seed);
  return a;
}

/**
 * Runs `work` repeatedly for `seconds`. `cpuMs` is the process's CPU time over the same span: on a machine shared
 * with other jobs, wall-clock rates understate the model; runs / (cpuMs / threads) estimates an unloaded run.
 */
async function timeRepeated(
  seconds: number,
  work: () => Promise<void>,
): Promise<{ runs: number; ms: number; cpuMs: number }> {
  await work(); // warm-up
  const start = performance.now();
  const cpu = process.cpuUsage();
  let runs = 0;
  while (performance.now() - start < seconds * 1000) {
    await work();
    runs++;
  }
  const used = process.cpuUsage(cpu);
  return { runs, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

/** "3.00 Mpx/s wall clock, 3.10 by CPU time" style rate pair. */
function rates(work: number, t: { ms: number; cpuMs: number }, digits: number): string {
  const wall = work / (t.ms / 1000);
  const byCpu = work / (t.cpuMs / 1000 / threads);
  return `${wall.toFixed(digits)} wall clock, ${byCpu.toFixed(digits)} by CPU time`;
}

const seconds = Number(process.env.CHANGEMAP_BENCH_SECONDS ?? 10);

// Every shipped model (models/*.card.json; the test models in models/test are not shipped).
for (const entry of listModels([models])) {
  if (entry.task === 'change-detection') {
    const detector = await ChangeDetector.load(entry.cardPath, { provider: 'cpu', threads });
    const chip = detector.card.chipSize;
    const batch = 4;
    const before = filled(batch * 3 * chip * chip, 1);
    const after = filled(batch * 3 * chip * chip, 2);
    const change = await timeRepeated(
      seconds,
      async () => void (await detector.predict(before, after, batch)),
    );
    const mpx = (change.runs * batch * chip * chip) / 1e6;
    console.log(
      `change detector ${detector.card.name} ${detector.card.version}: Mpx/s ${rates(mpx, change, 2)} (chip ${chip}, batch ${batch}, ${threads} threads; target >= 1)`,
    );
    await detector.dispose();
  } else {
    const classifier = await LandCoverClassifier.load(entry.cardPath, { provider: 'cpu', threads });
    const size = classifier.inputSize;
    const patches = 32;
    const input = filled(patches * 3 * size * size, 3);
    const cls = await timeRepeated(seconds, async () => void (await classifier.predict(input, patches)));
    console.log(
      `land-cover classifier ${classifier.card.name} ${classifier.card.version}: patches/s ${rates(cls.runs * patches, cls, 0)} (${size} px, batch ${patches}, ${threads} threads; target >= 100)`,
    );
    await classifier.dispose();
  }
}
