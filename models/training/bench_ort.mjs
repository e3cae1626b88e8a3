// Measures onnxruntime-node CPU speed of a ChangeMap model (2 intra-op threads, like a modest laptop core budget).
// Usage: node models/training/bench_ort.mjs <model.onnx> change|landcover <size> <batch> [seconds]
import * as ort from 'onnxruntime-node';

const [file, kind, sizeArg, batchArg, secondsArg] = process.argv.slice(2);
const size = Number(sizeArg);
const batch = Number(batchArg);
const seconds = Number(secondsArg ?? 5);
const session = await ort.InferenceSession.create(file, {
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
});
const n = batch * 3 * size * size;
const make = (k) => {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sin((i + 1) * 0.37 + k * 1.3);
  return new ort.Tensor('float32', d, [batch, 3, size, size]);
};
const feeds = {};
session.inputNames.forEach((name, k) => (feeds[name] = make(k)));
await session.run(feeds); // warm-up
let runs = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  await session.run(feeds);
  runs++;
}
const s = (performance.now() - t0) / 1000;
const perSec = (runs * batch) / s;
// On a shared machine wall time mostly measures the neighbours; CPU time / 2 estimates an unloaded 2-thread run.
const cpuS = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
const perCpuPair = (runs * batch) / (cpuS / 2);
if (kind === 'change') {
  console.log(
    JSON.stringify({
      file,
      size,
      batch,
      runs,
      chipsPerS: +perSec.toFixed(2),
      mpxPerS: +((perSec * size * size) / 1e6).toFixed(3),
      mpxPerS2CoreCpuTime: +((perCpuPair * size * size) / 1e6).toFixed(3),
    }),
  );
} else {
  console.log(
    JSON.stringify({
      file,
      size,
      batch,
      runs,
      patchesPerS: +perSec.toFixed(1),
      patchesPerS2CoreCpuTime: +perCpuPair.toFixed(1),
    }),
  );
}
