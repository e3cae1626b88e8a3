// `npm run bench -- seams`: how far a run's chip size and overlap move the probability from the model's own
// answer with all the context it can use (one chip over the whole test area), and where chip borders would show.
// A fully convolutional model sees less context near a chip's border; the sin² blending hides that where chips
// overlap. Larger chips have fewer borders; the overlap decides how well each border is hidden.
// Measured on the generated pair (1536², seed 3) inside a 64-px margin (the reference has its own edge there).
// Prints, per chip x overlap: mean and 99.9th-percentile absolute difference, the largest, the share of pixels
// whose change/no-change answer at the card threshold flips, and chip coverage (repeated work).
//   npm run bench -- seams [--model NAME|CARD] [--size 1536]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { Command } from 'commander';
import { chipOrigins } from '../src-main/core/tiling/chunkPlan';
import { resolveModel } from '../src-main/services/inference/modelCatalog';
import { ChangeDetector } from '../src-main/services/inference/onnxModel';
import { syntheticPair } from '../src-main/services/runs/syntheticPair';
import { predictChangeProbability } from './eval/changeInference';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Command()
  .option('--model <name|path>', 'change model', 'changemap-change-v1')
  .option('--size <px>', 'test area edge', '1536')
  .parse(process.argv)
  .opts<{ model: string; size: string }>();
const size = Number(args.size);
const margin = 64;
const cardPath = resolveModel(args.model, [path.join(root, 'models')], 'change-detection');
const model = await ChangeDetector.load(cardPath, { provider: 'cpu' });
const { card } = model;
const sizes = card.chipSizes;
if (!sizes) console.log(`${card.name} takes ${card.chipSize}-px chips only: only the overlap can vary.`);

const pair = syntheticPair({ width: size, height: size, bands: card.bands.length, seed: 3 });
const input = await pair.read({ x: 0, y: 0, width: size, height: size });
const predict = (chip: number, overlap: number) =>
  predictChangeProbability(model, input.before, input.after, size, size, overlap, 1, chip);

// The reference: the whole area as one chip (the most context the model can use), where the model takes other
// sizes (beyond chipSizes.max too: that limit is for memory, the file takes any multiple).
const referenceChip = sizes && size % sizes.multipleOf === 0 ? size : card.chipSize;
const reference = await predict(referenceChip, 0);
console.log(
  `${card.name}: reference = one ${referenceChip}-px chip over the ${size}² generated pair; compared inside a ${margin}-px margin; threshold ${card.threshold}; load ${os.loadavg()[0].toFixed(1)}`,
);
console.log('chip  overlap  mean |diff|  p99.9 |diff|  max |diff|  flips at threshold  coverage');
const chips = [card.chipSize, ...(sizes ? [512, 656, 800].filter((c) => c <= sizes.max && c < size) : [])];
for (const chip of chips) {
  for (const overlap of [0, 16, 32, 48, 64]) {
    if (overlap >= chip) continue;
    const out = await predict(chip, overlap);
    const diffs: number[] = [];
    let flips = 0;
    for (let y = margin; y < size - margin; y++) {
      for (let x = margin; x < size - margin; x++) {
        const i = y * size + x;
        diffs.push(Math.abs(out[i] - reference[i]));
        if (out[i] >= card.threshold !== reference[i] >= card.threshold) flips++;
      }
    }
    diffs.sort((a, b) => a - b);
    const mean = diffs.reduce((a, d) => a + d, 0) / diffs.length;
    const coverage = (chipOrigins(size, chip, chip - overlap).length * chip) ** 2 / (size * size);
    console.log(
      `${String(chip).padStart(4)}  ${String(overlap).padStart(7)}  ${mean.toFixed(5).padStart(11)}  ${diffs[Math.floor(diffs.length * 0.999)].toFixed(4).padStart(12)}  ${diffs[diffs.length - 1].toFixed(4).padStart(10)}  ${((100 * flips) / diffs.length).toFixed(3).padStart(17)}%  ${coverage.toFixed(2).padStart(8)}x`,
    );
  }
}
await model.dispose();
