// Loading an ONNX model with its card: checksum, session on the best provider (CPU fallback), and a check that
// the card describes the file's real inputs and outputs. Everything that can be wrong is refused here, before
// a run starts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { ChangeMapError } from '../../core/errors';
import {
  selfTestInput,
  type ChangeModelCard,
  type ModelVariant,
  type ClassifierModelCard,
  type ModelCard,
} from '../../core/models/modelCard';
import { onnxPathOf, readModelCard } from './modelCatalog';
import {
  providerOrder,
  providersFrom,
  sessionProviders,
  type ProviderId,
  type ProviderRequest,
} from './providers';

export interface LoadOptions {
  provider?: ProviderRequest;
  /** Threads for the CPU provider; default: defaultInferenceThreads(). */
  threads?: number;
  /** Run the card's self-test after loading (default true). */
  selfTest?: boolean;
  /**
   * A reduced-precision file of the model, as listed in the card's `variants` (core/models/modelVariants.ts
   * decides which); default: the card's full-precision file.
   */
  variantFile?: string;
}

export interface LoadedModel {
  card: ModelCard;
  cardPath: string;
  onnxPath: string;
  sha256: string;
  /** "full" for the card's own file, else the variant's precision (int8, fp16). */
  precision: 'full' | ModelVariant['precision'];
  session: ort.InferenceSession;
  providerUsed: ProviderId;
  /** Providers that failed to load before the one in use, in words. */
  warnings: string[];
}

type TensorSpec = ModelCard['inputs'][number];

/**
 * Every core for ONNX Runtime unless a run measured better (services/inference/threadCalibration.ts): the model
 * is most of a run's work, and reading, cutting and blending fit between its batches. On the 2-core bench
 * machine "all cores but one" left a run at 1.28 Mpx/s where two threads gave 1.78 (issue 15).
 */
export function defaultInferenceThreads(): number {
  return Math.max(1, availableParallelism());
}

function isDynamic(dim: number | string): boolean {
  return typeof dim === 'string' || dim < 0;
}

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/** Compares card tensor specs with the session's metadata; returns a sentence for the first mismatch. */
function tensorMismatch(
  kind: 'input' | 'output',
  specs: readonly TensorSpec[],
  actual: readonly ort.InferenceSession.ValueMetadata[],
): string | null {
  if (specs.length !== actual.length) {
    return `the card lists ${specs.length} ${kind}(s) but the file has ${actual.length} (${actual.map((a) => a.name).join(', ')})`;
  }
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    const meta = actual[i];
    if (spec.name !== meta.name)
      return `${kind} ${i + 1} is "${meta.name}" in the file, "${spec.name}" in the card`;
    if (!meta.isTensor) return `${kind} "${meta.name}" is not a tensor`;
    if (meta.type !== 'float32') return `${kind} "${meta.name}" is ${meta.type}, not float32`;
    const shape = meta.shape;
    const bad =
      shape.length !== spec.shape.length ||
      spec.shape.some((d, j) => !isDynamic(d) && !isDynamic(shape[j]) && d !== shape[j]) ||
      spec.shape.some((d, j) => !isDynamic(d) && isDynamic(shape[j]) && j === 0);
    if (bad) {
      return `${kind} "${meta.name}" has shape ${describeShape(shape)} in the file, ${describeShape(spec.shape)} in the card`;
    }
  }
  return null;
}

/** The card's own consistency: tensor shapes agree with bands and chip/input size. */
function cardShapeMismatch(card: ModelCard): string | null {
  const size = card.task === 'change-detection' ? card.chipSize : card.inputSize;
  for (const input of card.inputs) {
    const [, c, h, w] = input.shape;
    if (input.shape.length !== 4) return `input "${input.name}" is not [N, bands, size, size]`;
    if (!isDynamic(c) && c !== card.bands.length)
      return `input "${input.name}" has ${c} channels for ${card.bands.length} bands`;
    if ((!isDynamic(h) && h !== size) || (!isDynamic(w) && w !== size))
      return `input "${input.name}" is not ${size}x${size}`;
  }
  return null;
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function createSession(
  bytes: Uint8Array,
  order: ProviderId[],
  threads: number | undefined,
  warnings: string[],
) {
  let lastError: unknown;
  for (const provider of order) {
    try {
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: sessionProviders(provider),
        intraOpNumThreads: threads ?? defaultInferenceThreads(),
        interOpNumThreads: 1,
        // Idle ORT threads spin by default, burning the cores that reading, chip cutting and blending (and the
        // UI) need: on the 2-core bench machine the bare model went from 0.92 to 1.45 chip-Mpx/s without it.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
        graphOptimizationLevel: 'all',
        // The memory pattern plans one block for every intermediate tensor of a shape; without it the arena reuses
        // freed tensors: the shipped model's activations took 77-87 chip-sized float planes instead of 142-154
        // (656 to 1280-px chips on this machine), at the same speed or a few percent faster.
        enableMemPattern: false,
      });
      return { session, provider };
    } catch (error) {
      lastError = error;
      if (provider !== 'cpu') {
        warnings.push(
          `The ${provider} provider failed to load (${(error as Error).message.split('\n')[0]}); falling back.`,
        );
      }
    }
  }
  throw new ChangeMapError(
    'MODEL_CORRUPT',
    `ONNX Runtime cannot load the model: ${(lastError as Error)?.message ?? lastError}.`,
    {
      cause: lastError,
    },
  );
}

/** Loads and validates a model from its card path. Throws ChangeMapError with a MODEL_* code on any mismatch. */
export async function loadModel(cardPath: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const card = readModelCard(cardPath);
  const variant = options.variantFile ? variantOf(cardPath, card, options.variantFile) : null;
  const onnxPath = onnxPathOf(cardPath, variant ? { ...card, file: variant.file } : card);
  const expectedSha256 = variant?.sha256 ?? card.sha256;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(onnxPath);
  } catch (error) {
    throw new ChangeMapError(
      'MODEL_FILE_MISSING',
      `The model file ${onnxPath} named by the card cannot be read.`,
      {
        cause: error,
      },
    );
  }
  const sha256 = sha256Of(bytes);
  if (sha256 !== expectedSha256) {
    throw new ChangeMapError(
      'MODEL_CHECKSUM_MISMATCH',
      `The model file ${onnxPath} does not match its card (sha256 ${sha256.slice(0, 12)}…, card says ${expectedSha256.slice(0, 12)}…).`,
    );
  }
  const cardProblem = cardShapeMismatch(card);
  if (cardProblem)
    throw new ChangeMapError(
      'MODEL_CARD_MISMATCH',
      `The model card ${cardPath} is inconsistent: ${cardProblem}.`,
    );
  const warnings: string[] = [];
  const { session, provider } = await createSession(
    bytes,
    providerOrder(options.provider ?? 'auto', providersFrom(ort.listSupportedBackends())),
    options.threads,
    warnings,
  );
  const problem =
    tensorMismatch('input', card.inputs, session.inputMetadata) ??
    tensorMismatch('output', card.outputs, session.outputMetadata);
  if (problem) {
    await session.release();
    throw new ChangeMapError(
      'MODEL_CARD_MISMATCH',
      `The model file ${onnxPath} does not match its card: ${problem}.`,
    );
  }
  const model: LoadedModel = {
    card,
    cardPath,
    onnxPath,
    sha256,
    precision: variant?.precision ?? 'full',
    session,
    providerUsed: provider,
    warnings,
  };
  const selfTest = variant ? variant.selfTest : card.selfTest;
  if (options.selfTest !== false && selfTest) await runSelfTest(model, selfTest);
  return model;
}

/** The card's variant with this file name; any other file is refused (a card names every file it vouches for). */
function variantOf(cardPath: string, card: ModelCard, file: string): ModelVariant {
  const variant = card.variants?.find((v) => v.file === file);
  if (!variant) {
    throw new ChangeMapError(
      'MODEL_VARIANT_UNKNOWN',
      `The model card ${cardPath} lists no variant file "${file}"; use one of its variants (${(card.variants ?? []).map((v) => v.file).join(', ') || 'none'}) or the full-precision model.`,
    );
  }
  return variant;
}

/** Runs the card's recorded self-test; a different output means a wrong runtime, provider or file. */
async function runSelfTest(model: LoadedModel, test: NonNullable<ModelCard['selfTest']>): Promise<void> {
  const { card, session } = model;
  const size = card.task === 'change-detection' ? card.chipSize : card.inputSize;
  const shape = [1, card.bands.length, size, size];
  const count = card.bands.length * size * size;
  const feeds: Record<string, ort.Tensor> = {};
  card.inputs.forEach((input, k) => {
    feeds[input.name] = new ort.Tensor('float32', selfTestInput(k, count, test.inputSeed), shape);
  });
  const result = await session.run(feeds);
  const out = result[card.outputs[0].name].data as Float32Array;
  test.sampleIndices.forEach((index, j) => {
    if (!(Math.abs(out[index] - test.outputSample[j]) <= test.tolerance)) {
      throw new ChangeMapError(
        'MODEL_SELF_TEST_FAILED',
        `The model ${card.name} (${model.precision} precision) gives ${out[index]} at sample ${index} of its self-test instead of ${test.outputSample[j]}.`,
      );
    }
  });
}

/** A change-detection model ready to predict chips. */
export class ChangeDetector {
  private constructor(
    readonly model: LoadedModel,
    readonly card: ChangeModelCard,
  ) {}

  static async load(cardPath: string, options: LoadOptions = {}): Promise<ChangeDetector> {
    const model = await loadModel(cardPath, options);
    if (model.card.task !== 'change-detection') {
      await model.session.release();
      throw new ChangeMapError(
        'MODEL_WRONG_TASK',
        `The model ${model.card.name} is not a change-detection model.`,
      );
    }
    return new ChangeDetector(model, model.card);
  }

  get chipSize(): number {
    return this.card.chipSize;
  }
  get bands(): number {
    return this.card.bands.length;
  }
  get providerUsed(): ProviderId {
    return this.model.providerUsed;
  }

  /**
   * before/after: n square chips, NCHW float32, normalised as the card says. Returns n*chip*chip probabilities.
   * The chip's edge follows from the arrays' length: chipSize, or another size the card's chipSizes allows.
   */
  async predict(before: Float32Array, after: Float32Array, n: number): Promise<Float32Array> {
    const chip = Math.round(Math.sqrt(before.length / (n * this.bands)));
    if (n * this.bands * chip * chip !== before.length || after.length !== before.length) {
      throw new ChangeMapError(
        'INFERENCE_BAD_INPUT',
        `${n} chip(s) of ${this.bands} band(s) need square chips of the same size in both dates.`,
      );
    }
    const shape = [n, this.bands, chip, chip];
    const [a, b] = this.card.inputs;
    const result = await this.model.session.run({
      [a.name]: new ort.Tensor('float32', before, shape),
      [b.name]: new ort.Tensor('float32', after, shape),
    });
    const out = result[this.card.outputs[0].name];
    return out.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.model.session.release();
  }
}

/** A land-cover classifier: patches in, class probabilities out. */
export class LandCoverClassifier {
  private constructor(
    readonly model: LoadedModel,
    readonly card: ClassifierModelCard,
  ) {}

  static async load(cardPath: string, options: LoadOptions = {}): Promise<LandCoverClassifier> {
    const model = await loadModel(cardPath, options);
    if (model.card.task !== 'land-cover-classification') {
      await model.session.release();
      throw new ChangeMapError(
        'MODEL_WRONG_TASK',
        `The model ${model.card.name} is not a land-cover classifier.`,
      );
    }
    return new LandCoverClassifier(model, model.card);
  }

  get inputSize(): number {
    return this.card.inputSize;
  }

  /** patches: n x bands x size x size, normalised. Returns n x classes.length probabilities, row-major. */
  async predict(patches: Float32Array, n: number): Promise<Float32Array> {
    const shape = [n, this.card.bands.length, this.inputSize, this.inputSize];
    const result = await this.model.session.run({
      [this.card.inputs[0].name]: new ort.Tensor('float32', patches, shape),
    });
    return result[this.card.outputs[0].name].data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.model.session.release();
  }
}
