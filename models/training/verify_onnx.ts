// Checks shipped models the way the app will load them: card valid (zod schema), sha256 matches, onnxruntime-node
// output on the card's self-test input matches the PyTorch values recorded at export.
// Usage: npx tsx models/training/verify_onnx.ts models/changemap-change-v1.card.json [more cards...]
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelCard, selfTestInput } from '../../src-main/core/models/modelCard';

let failed = false;
for (const cardPath of process.argv.slice(2)) {
  const card = modelCard.parse(JSON.parse(readFileSync(cardPath, 'utf8')));
  const onnxPath = join(dirname(cardPath), card.file);
  const bytes = readFileSync(onnxPath);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 2 });
  const feeds: Record<string, ort.Tensor> = {};
  card.inputs.forEach((spec, k) => {
    const shape = spec.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[spec.name] = new ort.Tensor('float32', selfTestInput(k, n, card.selfTest!.inputSeed), shape);
  });
  const out = (await session.run(feeds))[card.outputs[0].name].data as Float32Array;
  const st = card.selfTest!;
  const maxDiff = Math.max(...st.sampleIndices.map((i, j) => Math.abs(out[i] - st.outputSample[j])));
  const ok =
    sha === card.sha256 &&
    maxDiff <= 1e-4 &&
    session.inputNames.join() === card.inputs.map((i) => i.name).join();
  failed ||= !ok;
  console.log(
    JSON.stringify({
      card: cardPath,
      ok,
      shaOk: sha === card.sha256,
      maxDiff,
      inputs: session.inputNames,
      outputs: session.outputNames,
    }),
  );
}
process.exit(failed ? 1 : 0);
