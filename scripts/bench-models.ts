// `npm run bench -- models` (or `npm run bench:models`): every shipped model's bare speed with onnxruntime-node on the CPU, full
// precision beside each reduced-precision variant, at every thread count, as the app loads them (services/inference).
// Targets: change detector >= 1 Mpx/s, classifier >= 100 patches/s.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseModelFile, variantVerdict } from '../src-main/core/models/modelVariants';
import { listModels, readModelCard } from '../src-main/services/inference/modelCatalog';
import { ChangeDetector, LandCoverClassifier } from '../src-main/services/inference/onnxModel';
import { threadCandidates } from '../src-main/services/inference/threadCalibration';

const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'models');
// CHANGEMAP_THREADS measures one thread count; default: every count a run's calibration tries (threadCandidates).
const threadList = process.env.CHANGEMAP_THREADS
  ? [Number(process.env.CHANGEMAP_THREADS)]
  : threadCandidates(os.availableParallelism());

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
function rates(work: number, t: { ms: number; cpuMs: number }, threads: number, digits: number): string {
  const wall = work / (t.ms / 1000);
  const byCpu = work / (t.cpuMs / 1000 / threads);
  return `${wall.toFixed(digits)} wall clock, ${byCpu.toFixed(digits)} by CPU time`;
}

const seconds = Number(process.env.CHANGEMAP_BENCH_SECONDS ?? 10);

/** What one file of a model does per second (chip-Mpx/s, or patches/s) at `threads`. */
async function measureFile(
  cardPath: string,
  task: string,
  threads: number,
  variantFile?: string,
): Promise<{ line: string; rate: number; name: string }> {
  const options = { provider: 'cpu' as const, threads, variantFile };
  if (task === 'change-detection') {
    const detector = await ChangeDetector.load(cardPath, options);
    try {
      const chip = detector.card.chipSize;
      const batch = 4;
      const before = filled(batch * 3 * chip * chip, 1);
      const after = filled(batch * 3 * chip * chip, 2);
      const change = await timeRepeated(
        seconds,
        async () => void (await detector.predict(before, after, batch)),
      );
      const mpx = (change.runs * batch * chip * chip) / 1e6;
      return {
        name: `change detector ${detector.card.name} ${detector.card.version}`,
        rate: mpx / (change.cpuMs / 1000 / threads),
        line: `chip-Mpx/s ${rates(mpx, change, threads, 2)} (chip ${chip}, batch ${batch}; target >= 1)`,
      };
    } finally {
      await detector.dispose();
    }
  }
  const classifier = await LandCoverClassifier.load(cardPath, options);
  try {
    const size = classifier.inputSize;
    const patches = 32;
    const input = filled(patches * 3 * size * size, 3);
    const cls = await timeRepeated(seconds, async () => void (await classifier.predict(input, patches)));
    return {
      name: `land-cover classifier ${classifier.card.name} ${classifier.card.version}`,
      rate: (cls.runs * patches) / (cls.cpuMs / 1000 / threads),
      line: `patches/s ${rates(cls.runs * patches, cls, threads, 0)} (${size} px, batch ${patches}; target >= 100)`,
    };
  } finally {
    await classifier.dispose();
  }
}

// Every shipped model (models/*.card.json; the test models in models/test are not shipped), in full precision and
// in each reduced-precision variant its card lists, at every thread count a run's calibration tries; then the file
// the app would choose here from these figures (core/models/modelVariants.ts).
for (const entry of listModels([models])) {
  const card = readModelCard(entry.cardPath);
  const files = [
    { label: 'full precision', variantFile: undefined as string | undefined },
    ...(card.variants ?? []).map((v) => ({ label: v.precision, variantFile: v.file })),
  ];
  for (const v of card.variants ?? []) console.log(`${card.name}: ${variantVerdict(card.task, v).reason}`);
  const best: Record<string, number> = {};
  for (const threads of threadList) {
    for (const file of files) {
      const m = await measureFile(entry.cardPath, card.task, threads, file.variantFile);
      const key = file.variantFile ?? card.file;
      best[key] = Math.max(best[key] ?? 0, m.rate);
      console.log(`${m.name} [${file.label}], ${threads} thread(s): ${m.line}`);
    }
  }
  if (card.variants?.length) {
    const choice = chooseModelFile(card, best);
    console.log(`${card.name}: the app would run ${choice.file} here (${choice.reason}; by CPU time)`);
  }
}
