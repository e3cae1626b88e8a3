// `npm run eval`: accuracy of every shipped model on the validation split (models/training/splits.json), through
// the app's own inference code, with the automatic model choice per scene and the change-vector-analysis baseline;
// plus the sample scene's planted changes. Reads the shared data folder ($CHANGEMAP_DATA or ../shared/data); exits 2 when it is missing.
// --variants also scores every reduced-precision file a card lists beside its model; --record (with --variants)
// writes both figures into the card's variants entry.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSampleScene } from '../src-main/core/sampleScene/generateSampleScene';
import { listModels } from '../src-main/services/inference/modelCatalog';
import type { ChangeModelCard, ModelCard } from '../src-main/core/models/modelCard';
import { ChangeDetector, LandCoverClassifier } from '../src-main/services/inference/onnxModel';
import type { ChipModel } from './eval/changeInference';
import { changeRows, emptyTally, scoreScene, type ChangeTally } from './eval/changeScoring';
import { loadAidImage, loadChangeScene, readSplits, resolveDataRoot } from './eval/datasets';
import { binaryScores, ConfusionMatrix, emptyCounts } from './eval/metrics';
import { resizeBilinearUint8 } from './eval/resize';
import { recordVariantAccuracy, roundFigures, variantLabel } from './eval/variants';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = path.join(repoRoot, 'models');
const LANDCOVER_CARD = path.join(repoRoot, 'models', 'changemap-landcover-v1.card.json');
const SPLITS = path.join(repoRoot, 'models', 'training', 'splits.json');
const args = new Set(process.argv.slice(2));
const aidLimit = Number(process.argv.find((a) => a.startsWith('--aid-limit='))?.split('=')[1] ?? Infinity);

const fmt = (v: number) => v.toFixed(3);
/** Columns padded to width; text columns (`left`) aligned left, figures right. */
const table = (rows: string[][], left: ReadonlySet<number> = new Set([0])) => {
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return rows
    .map((r) => r.map((c, k) => (left.has(k) ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  '))
    .join('\n');
};

/** Share of each planted change's truth pixels that a mask detects. */
function plantedChangeLine(sample: ReturnType<typeof generateSampleScene>, mask: Uint8Array): string {
  const { width, height } = sample.grid;
  return sample.changes
    .map((c) => {
      const xs = c.polygonPx.map((p) => p[0]);
      const ys = c.polygonPx.map((p) => p[1]);
      let hit = 0;
      let n = 0;
      for (
        let y = Math.max(0, Math.floor(Math.min(...ys)));
        y < Math.min(height, Math.ceil(Math.max(...ys)));
        y++
      ) {
        for (
          let x = Math.max(0, Math.floor(Math.min(...xs)));
          x < Math.min(width, Math.ceil(Math.max(...xs)));
          x++
        ) {
          const i = y * width + x;
          if (!sample.truth[i]) continue;
          n++;
          hit += mask[i];
        }
      }
      return `${c.kind} ${n ? Math.round((100 * hit) / n) : 0}%`;
    })
    .join(', ');
}

/** Per model name (as in the tables), per dataset: precision, recall, F1, IoU (what a card's accuracy holds). */
type ChangeFigures = Map<string, ModelCard['accuracy']>;

async function evaluateChange(dataRoot: string, detectors: readonly ChipModel[]): Promise<ChangeFigures> {
  const splits = readSplits(SPLITS);
  const val = splits.change.scenes.filter((s) => s.split === 'val');
  const byDataset = new Map<string, ChangeTally>();
  const all = emptyTally();
  for (const entry of val) {
    const scene = await loadChangeScene(dataRoot, entry);
    let tally = byDataset.get(entry.dataset);
    if (!tally) byDataset.set(entry.dataset, (tally = emptyTally()));
    await scoreScene(detectors, scene, [tally, all]);
  }
  const groups: [string, ChangeTally][] = [...byDataset, ['all (pixel-pooled)', all]];

  const plantedLines: string[] = [];
  // The generated sample scene, scored against its planted changes.
  if (!args.has('--no-sample')) {
    const sample = generateSampleScene();
    const tally = emptyTally();
    const { width, height, geoTransform } = sample.grid;
    const gsdM = Math.abs(geoTransform[1]);
    const masks = await scoreScene(
      detectors,
      {
        width,
        height,
        before: sample.before,
        after: sample.after,
        truth: sample.truth,
        sampleType: 'uint8',
        gsdM,
      },
      [tally],
    );
    groups.push([`sample scene (${gsdM} m)`, tally]);
    for (const [name, mask] of masks) plantedLines.push(`  ${name}: ${plantedChangeLine(sample, mask)}`);
  }

  const figures: ChangeFigures = new Map();
  for (const d of detectors) {
    const perDataset: ModelCard['accuracy'] = {};
    for (const [dataset, tally] of byDataset) {
      const { precision, recall, f1, iou } = binaryScores(tally.counts.get(d.card.name) ?? emptyCounts());
      perDataset[dataset] = { precision, recall, f1, iou, scenes: tally.scenes };
    }
    figures.set(d.card.name, perDataset);
  }
  const rows = changeRows(groups, detectors);
  console.log(
    '\nChange detection (pixels pooled per dataset; each model at its card threshold, the automatic choice per scene from its pixel size)',
  );
  console.log(table(rows, new Set([0, 4])));
  if (plantedLines.length) {
    console.log('planted changes in the sample scene, share of their pixels detected:');
    console.log(plantedLines.join('\n'));
  }
  return figures;
}

async function evaluateLandCover(
  dataRoot: string,
  classifier: LandCoverClassifier,
  label = classifier.card.name,
): Promise<ModelCard['accuracy']> {
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
  console.log(`\nLand cover, ${label} (AID validation, ${aid.total} images at ${size} px)`);
  console.log(`top-1 over the ${card.classes.length} AID classes: ${fmt(aid.accuracy())}`);
  console.log(
    `top-1 over the ${planner.length} planner land-cover classes (probabilities summed per class): ${fmt(landCover.accuracy())}`,
  );
  console.log(landCover.format());
  return { aid: { top1: aid.accuracy(), landCoverAccuracy: landCover.accuracy(), images: aid.total } };
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
  // Every shipped change model (models/*.card.json; not the test models in models/test).
  const detectors = await Promise.all(
    listModels([MODELS])
      .filter((m) => m.task === 'change-detection')
      .map((m) => ChangeDetector.load(m.cardPath, { provider: 'cpu', threads })),
  );
  const classifier = existsSync(LANDCOVER_CARD)
    ? await LandCoverClassifier.load(LANDCOVER_CARD, { provider: 'cpu', threads })
    : null;
  console.log(`ChangeMap evaluation — data ${dataRoot}`);
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${threads} cores, Node ${process.version}, ONNX Runtime CPU provider`,
  );
  for (const d of detectors)
    console.log(
      `change model: ${d.card.name} ${d.card.version} (chip ${d.chipSize}, threshold ${d.card.threshold}, pixel sizes ${d.card.gsdRangeM.join('-')} m)`,
    );
  if (!detectors.length) console.log(`change models: none in ${MODELS}; only the CVA baseline is scored`);
  // Variants come after the full-precision models, so the automatic choice (first wins ties) keeps to the latter.
  const variants = args.has('--variants') ? await loadVariants(detectors, classifier, threads) : [];
  const changeVariants = variants.filter((v) => v.model instanceof ChangeDetector);
  const figures = args.has('--no-change')
    ? new Map()
    : await evaluateChange(dataRoot, [
        ...detectors,
        ...changeVariants.map((v): ChipModel => ({
          card: v.labelled as ChangeModelCard,
          predict: (before, after, n) => (v.model as ChangeDetector).predict(before, after, n),
        })),
      ]);
  if (classifier && !args.has('--no-landcover')) {
    figures.set(classifier.card.name, await evaluateLandCover(dataRoot, classifier));
    for (const v of variants.filter((x) => x.model instanceof LandCoverClassifier))
      figures.set(
        v.labelled.name,
        await evaluateLandCover(dataRoot, v.model as LandCoverClassifier, v.labelled.name),
      );
  } else if (!classifier) console.log(`\nLand cover: model not found (${LANDCOVER_CARD}).`);
  if (args.has('--record')) {
    const evaluatedWith = `npm run eval -- --variants (${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'CPU'}, ONNX Runtime CPU provider)`;
    for (const v of variants) {
      const full = figures.get(v.model.card.name);
      const own = figures.get(v.labelled.name);
      if (!full || !own) continue;
      recordVariantAccuracy(
        v.model.model.cardPath,
        v.file,
        { accuracy: roundFigures(own), fullPrecisionAccuracy: roundFigures(full) },
        evaluatedWith,
      );
      console.log(`recorded ${v.labelled.name} in ${v.model.model.cardPath}`);
    }
  }
  for (const d of detectors) await d.dispose();
  await classifier?.dispose();
  for (const v of variants) await v.model.dispose();
  console.log(`\nruntime: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Every variant file the loaded models' cards list, loaded the same way, with a card copy named for the tables. */
async function loadVariants(
  detectors: readonly ChangeDetector[],
  classifier: LandCoverClassifier | null,
  threads: number,
): Promise<{ model: ChangeDetector | LandCoverClassifier; labelled: ModelCard; file: string }[]> {
  const out = [];
  for (const full of [...detectors, ...(classifier ? [classifier] : [])]) {
    for (const variant of full.card.variants ?? []) {
      const options = { provider: 'cpu' as const, threads, variantFile: variant.file };
      const model =
        full instanceof ChangeDetector
          ? await ChangeDetector.load(full.model.cardPath, options)
          : await LandCoverClassifier.load(full.model.cardPath, options);
      out.push({
        model,
        labelled: { ...full.card, name: variantLabel(full.card.name, variant) },
        file: variant.file,
      });
      console.log(`variant: ${variantLabel(full.card.name, variant)} (${variant.file})`);
    }
  }
  return out;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
