// `npm run eval`: accuracy of the shipped models on the validation split (models/training/splits.json), through
// the app's own inference code, beside the change-vector-analysis baseline; plus the sample scene's planted
// changes. Reads the shared data folder ($CHANGEMAP_DATA or ../shared/data); exits 2 when it is missing.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeVectorAnalysis } from '../src-main/core/baseline/cva';
import { generateSampleScene } from '../src-main/core/sampleScene/generateSampleScene';
import { ChangeDetector, LandCoverClassifier } from '../src-main/services/inference/onnxModel';
import { predictChangeProbability, unitScaleDate } from './eval/changeInference';
import {
  loadAidImage,
  loadChangeScene,
  readSplits,
  resolveDataRoot,
  type ChangeScene,
} from './eval/datasets';
import { addMaskCounts, binaryScores, ConfusionMatrix, emptyCounts, type BinaryCounts } from './eval/metrics';
import { resizeBilinearUint8 } from './eval/resize';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHANGE_CARD = path.join(repoRoot, 'models', 'changemap-change-v1.card.json');
const LANDCOVER_CARD = path.join(repoRoot, 'models', 'changemap-landcover-v1.card.json');
const SPLITS = path.join(repoRoot, 'models', 'training', 'splits.json');
const args = new Set(process.argv.slice(2));
const aidLimit = Number(process.argv.find((a) => a.startsWith('--aid-limit='))?.split('=')[1] ?? Infinity);

const fmt = (v: number) => v.toFixed(3);
const scoreCells = (c: BinaryCounts) => {
  const s = binaryScores(c);
  return [fmt(s.precision), fmt(s.recall), fmt(s.f1), fmt(s.iou)];
};
const table = (rows: string[][]) => {
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return rows
    .map((r) => r.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  '))
    .join('\n');
};

interface ChangeTally {
  scenes: number;
  pixels: number;
  changed: number;
  model: BinaryCounts;
  cva: BinaryCounts;
}

/** Scores one scene with the model (when loaded) and with CVA, adding into the tally. */
async function scoreScene(
  detector: ChangeDetector | null,
  scene: Pick<ChangeScene, 'width' | 'height' | 'before' | 'after' | 'truth' | 'sampleType'>,
  tally: ChangeTally,
  stretchLimits?: [number, number],
): Promise<Float32Array | null> {
  const bands = 3;
  const before = unitScaleDate(scene.before, bands, scene.sampleType, stretchLimits);
  const after = unitScaleDate(scene.after, bands, scene.sampleType, stretchLimits);
  tally.scenes++;
  tally.pixels += scene.truth.length;
  for (const v of scene.truth) tally.changed += v;
  addMaskCounts(tally.cva, changeVectorAnalysis(before, after, bands).mask, scene.truth);
  if (!detector) return null;
  const overlap = Math.round(detector.chipSize / 8); // the app's default chip overlap
  const probability = await predictChangeProbability(
    detector,
    before,
    after,
    scene.width,
    scene.height,
    overlap,
  );
  const threshold = detector.card.threshold;
  const predicted = new Uint8Array(probability.length);
  for (let i = 0; i < predicted.length; i++) predicted[i] = probability[i] >= threshold ? 1 : 0;
  addMaskCounts(tally.model, predicted, scene.truth);
  return probability;
}

async function evaluateChange(dataRoot: string, detector: ChangeDetector | null): Promise<void> {
  const splits = readSplits(SPLITS);
  const val = splits.change.scenes.filter((s) => s.split === 'val');
  const byDataset = new Map<string, ChangeTally>();
  const trainingStretch: ChangeTally = {
    scenes: 0,
    pixels: 0,
    changed: 0,
    model: emptyCounts(),
    cva: emptyCounts(),
  };
  for (const entry of val) {
    const scene = await loadChangeScene(dataRoot, entry);
    if (scene.sampleType !== 'uint8' && detector)
      await scoreScene(detector, scene, trainingStretch, [-0.5, 1.5]);
    let tally = byDataset.get(entry.dataset);
    if (!tally) {
      tally = { scenes: 0, pixels: 0, changed: 0, model: emptyCounts(), cva: emptyCounts() };
      byDataset.set(entry.dataset, tally);
    }
    await scoreScene(detector, scene, tally);
  }
  const rows = [
    ['dataset (val)', 'scenes', 'Mpx', 'changed', 'model P', 'R', 'F1', 'IoU', 'CVA P', 'R', 'F1', 'IoU'],
  ];
  const all: ChangeTally = { scenes: 0, pixels: 0, changed: 0, model: emptyCounts(), cva: emptyCounts() };
  const push = (name: string, t: ChangeTally) =>
    rows.push([
      name,
      String(t.scenes),
      (t.pixels / 1e6).toFixed(2),
      `${((100 * t.changed) / t.pixels).toFixed(1)}%`,
      ...(detector ? scoreCells(t.model) : ['-', '-', '-', '-']),
      ...scoreCells(t.cva),
    ]);
  for (const [name, t] of byDataset) {
    push(name, t);
    all.scenes += t.scenes;
    all.pixels += t.pixels;
    all.changed += t.changed;
    for (const k of ['tp', 'fp', 'fn', 'tn'] as const) {
      all.model[k] += t.model[k];
      all.cva[k] += t.cva[k];
    }
  }
  push('all (pixel-pooled)', all);
  if (trainingStretch.scenes > 0)
    push("  16-bit scenes, training's stretch limits [-0.5, 1.5]", trainingStretch);

  let plantedLine = '';
  // Bonus: the generated 3 m sample scene, scored against its planted changes.
  if (!args.has('--no-sample')) {
    const sample = generateSampleScene();
    const tally: ChangeTally = { scenes: 0, pixels: 0, changed: 0, model: emptyCounts(), cva: emptyCounts() };
    const { width, height } = sample.grid;
    const probability = await scoreScene(
      detector,
      { width, height, before: sample.before, after: sample.after, truth: sample.truth, sampleType: 'uint8' },
      tally,
    );
    push('sample scene (3 m)', tally);
    if (probability && detector) {
      const found = sample.changes.map((c) => {
        let hit = 0;
        let n = 0;
        const [x0, y0] = [
          Math.min(...c.polygonPx.map((p) => p[0])),
          Math.min(...c.polygonPx.map((p) => p[1])),
        ];
        const [x1, y1] = [
          Math.max(...c.polygonPx.map((p) => p[0])),
          Math.max(...c.polygonPx.map((p) => p[1])),
        ];
        for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
          for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
            const i = y * width + x;
            if (!sample.truth[i]) continue;
            n++;
            if (probability[i] >= detector.card.threshold) hit++;
          }
        }
        return `${c.kind} ${n ? Math.round((100 * hit) / n) : 0}%`;
      });
      plantedLine = `planted changes in the sample scene, share of their pixels detected: ${found.join(', ')}`;
    }
  }
  console.log(
    '\nChange detection (pixels; model at its card threshold, CVA at its per-scene Otsu threshold)',
  );
  console.log(table(rows));
  if (plantedLine) console.log(plantedLine);
}

async function evaluateLandCover(dataRoot: string, classifier: LandCoverClassifier): Promise<void> {
  const splits = readSplits(SPLITS).landcover;
  const card = classifier.card;
  const size = card.inputSize;
  const planner = [...new Set(card.classes.map((c) => card.landCover[c] ?? c))];
  const aid = new ConfusionMatrix(card.classes);
  const landCover = new ConfusionMatrix(planner);
  const files = splits.val.slice(0, aidLimit);
  const batch = 64;
  const { mean, std } = card.normalisation;
  const plane = size * size;
  for (let start = 0; start < files.length; start += batch) {
    const group = files.slice(start, start + batch);
    const input = new Float32Array(group.length * 3 * plane);
    group.forEach((file, k) => {
      const img = loadAidImage(path.join(dataRoot, 'aid', file));
      const rgb =
        img.width === size && img.height === size
          ? img.rgb
          : resizeBilinearUint8(img.rgb, img.width, img.height, 3, size, size);
      for (let b = 0; b < 3; b++) {
        for (let p = 0; p < plane; p++)
          input[k * 3 * plane + b * plane + p] = (rgb[b * plane + p] / 255 - mean[b]) / std[b];
      }
    });
    const probs = await classifier.predict(input, group.length);
    group.forEach((file, k) => {
      const truth = card.classes.indexOf(file.split('/')[0]);
      const row = probs.subarray(k * card.classes.length, (k + 1) * card.classes.length);
      let best = 0;
      for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
      aid.add(truth, best);
      const summed = new Float64Array(planner.length);
      row.forEach(
        (p, c) => (summed[planner.indexOf(card.landCover[card.classes[c]] ?? card.classes[c])] += p),
      );
      let bestLc = 0;
      for (let c = 1; c < summed.length; c++) if (summed[c] > summed[bestLc]) bestLc = c;
      landCover.add(planner.indexOf(card.landCover[card.classes[truth]] ?? card.classes[truth]), bestLc);
    });
  }
  console.log(`\nLand cover (AID validation, ${aid.total} images at ${size} px)`);
  console.log(`top-1 over the ${card.classes.length} AID classes: ${fmt(aid.accuracy())}`);
  console.log(
    `top-1 over the ${planner.length} planner land-cover classes (probabilities summed per class): ${fmt(landCover.accuracy())}`,
  );
  console.log(landCover.format());
}

async function main(): Promise<void> {
  const started = Date.now();
  const dataRoot = resolveDataRoot(repoRoot);
  if (!existsSync(dataRoot)) {
    console.error(
      `The evaluation data folder ${dataRoot} does not exist. Set CHANGEMAP_DATA to the shared data folder.`,
    );
    process.exit(2);
  }
  if (!existsSync(SPLITS)) {
    console.error(
      `The validation split ${SPLITS} is missing (written by models/training/data.py --write-splits).`,
    );
    process.exit(2);
  }
  const threads = os.cpus().length;
  const detector = existsSync(CHANGE_CARD)
    ? await ChangeDetector.load(CHANGE_CARD, { provider: 'cpu', threads })
    : null;
  const classifier = existsSync(LANDCOVER_CARD)
    ? await LandCoverClassifier.load(LANDCOVER_CARD, { provider: 'cpu', threads })
    : null;
  console.log(`ChangeMap evaluation — data ${dataRoot}`);
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${threads} cores, Node ${process.version}, ONNX Runtime CPU provider`,
  );
  console.log(
    detector
      ? `change model: ${detector.card.name} ${detector.card.version} (chip ${detector.chipSize}, threshold ${detector.card.threshold})`
      : `change model: not found (${CHANGE_CARD}); only the CVA baseline is scored`,
  );
  if (!args.has('--no-change')) await evaluateChange(dataRoot, detector);
  if (classifier && !args.has('--no-landcover')) await evaluateLandCover(dataRoot, classifier);
  else if (!classifier) console.log(`\nLand cover: model not found (${LANDCOVER_CARD}).`);
  await detector?.dispose();
  await classifier?.dispose();
  console.log(`\nruntime: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
