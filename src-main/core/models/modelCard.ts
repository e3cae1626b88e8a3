// The model card: what ChangeMap needs to know to run any ONNX model safely. Validated on load against
// the ONNX file's real inputs and outputs (see services/inference).
import { z } from 'zod';

export const tensorSpec = z.object({
  name: z.string().min(1),
  /** Dimensions; -1 or a string for a dynamic axis (batch). */
  shape: z.array(z.union([z.number().int(), z.string()])),
  dtype: z.literal('float32'),
});

export const normalisationSpec = z.object({
  /**
   * Step 1, per date: raw values to the unit range. "datatype": uint8 / 255; uint16 and others by a robust
   * per-band percentile stretch (p2..p98 from a spread sample of the date) to 0..1; float passed through.
   */
  unitScaling: z.literal('datatype'),
  /** Step 2, per band, after unit scaling: (x - mean) / std. */
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
  /**
   * Per band, in unit-scaled values: what pixels beyond the scene edge and invalid pixels become before step 2.
   * Absent: the band mean (0 after normalisation). A model whose normalisation is inside its graph (identity mean
   * and std) names its training mean here, so padding reads as neutral grey, not black.
   */
  fill: z.array(z.number()).optional(),
});

/**
 * A card's `file` names the ONNX file beside the card or in a folder below it: a relative path without `..`
 * segments, so a card copied from elsewhere cannot make ChangeMap load (or report on) any file on the disk.
 */
export const modelFileName = z
  .string()
  .min(1)
  .refine((file) => !/^([/\\]|[A-Za-z]:)/.test(file) && !file.split(/[/\\]/).includes('..'), {
    message: 'the model file must be a path relative to the card, inside its folder (no "..", not absolute)',
  });

/**
 * Normalisation needs one mean, one std (and one fill, when given) per band: an empty or short list would
 * normalise the missing bands to NaN and the model would find nothing, silently.
 */
function checkNormalisationPerBand(
  card: { bands: readonly string[]; normalisation: z.infer<typeof normalisationSpec> },
  ctx: z.RefinementCtx,
): void {
  const bands = card.bands.length;
  for (const key of ['mean', 'std', 'fill'] as const) {
    const values = card.normalisation[key];
    if (values === undefined || values.length === bands) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['normalisation', key],
      message: `it has ${values.length} value(s) but the card lists ${bands} band(s); give one per band`,
    });
  }
}

/** Per dataset, per metric (f1, top1, ...): validation figures. */
const accuracyFigures = z.record(z.string(), z.record(z.string(), z.number()));

const selfTestSpec = z.object({
  inputSeed: z.number(),
  sampleIndices: z.array(z.number().int().nonnegative()),
  outputSample: z.array(z.number()),
  tolerance: z.number().positive(),
});

/** A reduced-precision file of a model, listed in its card's `variants`. */
export const modelVariantSpec = z.object({
  /** int8: post-training static quantisation (weights and activations); fp16: half-precision weights. */
  precision: z.enum(['int8', 'fp16']),
  /** File name of the variant's ONNX model, relative to the card like `file`. */
  file: modelFileName,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** How it was made: tool, version, calibration data. */
  made: z.string().min(1),
  /**
   * Validation figures of the variant and of the full-precision file from the same evaluation (same code, data
   * and machine: `npm run eval -- --variants --record`). Absent until evaluated: such a variant is never used.
   */
  accuracy: accuracyFigures.optional(),
  fullPrecisionAccuracy: accuracyFigures.optional(),
  evaluatedWith: z.string().min(1).optional(),
  /** The variant's own self-test output (same input as the card's selfTest). */
  selfTest: selfTestSpec.optional(),
});
export type ModelVariant = z.infer<typeof modelVariantSpec>;

const common = {
  schema: z.literal('changemap.model-card/1'),
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string(),
  /** File name of the ONNX model, relative to the card and inside its folder. */
  file: modelFileName,
  /** sha256 of the ONNX file (hex). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bands: z.array(z.enum(['red', 'green', 'blue', 'nir'])).min(1),
  normalisation: normalisationSpec,
  /** Ground sampling distances (metres per pixel) seen in training. */
  gsdRangeM: z.tuple([z.number().positive(), z.number().positive()]),
  /**
   * Who made the model or its weights and how to credit them (paper, authors, datasets), shown with the licence
   * in the app's model details. Optional: older cards credit their data in training.data.
   */
  attribution: z.string().min(1).optional(),
  training: z.object({
    data: z.array(z.string()),
    licence: z.string().min(1),
    command: z.string(),
    runtime: z.string(),
  }),
  accuracy: accuracyFigures,
  /**
   * Faster files of this same model (int8 or fp16), each with its accuracy measured beside the full-precision
   * file's. A run uses one only where it keeps accuracy and is faster on the machine (core/models/modelVariants.ts).
   */
  variants: z.array(modelVariantSpec).optional(),
  /**
   * Output for a fixed input recorded at export time, for regression tests. Input k (0-based) of shape
   * [1, C, S, S] holds, at flat index i, Math.sin((i + 1) * 0.37 + k * 1.3 + inputSeed) (see selfTestInput).
   * outputSample[j] is the first output's value at flat index sampleIndices[j].
   */
  selfTest: selfTestSpec.optional(),
};

const changeModelCardFields = z.object({
  ...common,
  task: z.literal('change-detection'),
  /** Two inputs, before then after, each [N, bands, chip, chip] NCHW float32. */
  inputs: z.tuple([tensorSpec, tensorSpec]),
  /** One output [N, 1, chip, chip]: change probability 0..1. */
  outputs: z.tuple([tensorSpec]),
  chipSize: z.number().int().positive(),
  /**
   * Larger chips the model file accepts (dynamic height and width): any multiple of `multipleOf` from chipSize up
   * to `max`. A run then picks the chip that covers its grid with the least repeated work (chunkPlan
   * chipSizeForGrid). Only for networks whose output at a pixel does not depend on the chip's size beyond their
   * receptive field (no normalisation over the whole chip). Optional: without it every chip is chipSize.
   */
  chipSizes: z
    .object({ max: z.number().int().positive(), multipleOf: z.number().int().positive() })
    .strict()
    .optional(),
  /** Default threshold on the probability. */
  threshold: z.number().min(0).max(1),
  /**
   * What kind of change the model detects, as a short phrase a planner reads in the automatic model choice's
   * reason ("new and demolished buildings", "any change of land cover"). Optional; without it the reason names
   * the model only.
   */
  detects: z.string().min(1).max(120).optional(),
  /**
   * Pixel sizes (m) where this model is the best choice among the shipped ones (its native resolution, where its
   * validation figures were measured); inside gsdRangeM. Optional: defaults to gsdRangeM. The automatic choice
   * (core/models/modelChoice.ts) prefers the model whose preferred range holds the imagery's pixel size.
   */
  preferredGsdM: z.tuple([z.number().positive(), z.number().positive()]).optional(),
  /** Default region clean-up (radii in pixels) and smallest region kept (m²) for this model's output. */
  regions: z
    .object({
      openingRadius: z.number().int().min(0).max(20).optional(),
      closingRadius: z.number().int().min(0).max(20).optional(),
      minAreaM2: z.number().min(0).optional(),
    })
    .strict()
    .optional(),
});

/** chipSizes must hold chipSize itself: a multiple of multipleOf, at most max. */
function checkChipSizes(
  card: { chipSize: number; chipSizes?: { max: number; multipleOf: number } },
  ctx: z.RefinementCtx,
): void {
  const sizes = card.chipSizes;
  if (sizes && (card.chipSize % sizes.multipleOf !== 0 || sizes.max < card.chipSize)) {
    ctx.addIssue({
      code: 'custom',
      path: ['chipSizes'],
      message: `chipSize ${card.chipSize} must be a multiple of chipSizes.multipleOf and at most chipSizes.max`,
    });
  }
}

export const changeModelCard = changeModelCardFields
  .superRefine(checkNormalisationPerBand)
  .superRefine(checkChipSizes);

const classifierModelCardFields = z.object({
  ...common,
  task: z.literal('land-cover-classification'),
  /** One input [N, bands, size, size]. */
  inputs: z.tuple([tensorSpec]),
  /** One output [N, classes.length]: softmax probabilities. */
  outputs: z.tuple([tensorSpec]),
  inputSize: z.number().int().positive(),
  /** Ground size in metres per input pixel the classifier expects (patches are resampled to it). */
  inputGsdM: z.number().positive(),
  classes: z.array(z.string().min(1)).min(2),
  /** Output class -> planner-facing land-cover class; probabilities of one land-cover class are summed. */
  landCover: z.record(z.string(), z.string()),
  /** Below this top probability (summed per land-cover class) a label may be reported as "uncertain". */
  uncertainBelow: z.number().min(0).max(1),
  /**
   * With it, "uncertain" only when the best land-cover class is under uncertainBelow AND leads the runner-up by less
   * than this: the classifier really cannot tell between them. Optional: without it uncertainBelow alone decides.
   */
  uncertainMargin: z.number().min(0).max(1).optional(),
});

export const classifierModelCard = classifierModelCardFields.superRefine(checkNormalisationPerBand);

export const modelCard = z.discriminatedUnion('task', [changeModelCard, classifierModelCard]);

export type ChangeModelCard = z.infer<typeof changeModelCard>;
export type ClassifierModelCard = z.infer<typeof classifierModelCard>;
export type ModelCard = z.infer<typeof modelCard>;

/** The deterministic self-test input for input number k (see the card's selfTest). */
export function selfTestInput(k: number, elementCount: number, seed: number): Float32Array {
  const data = new Float32Array(elementCount);
  for (let i = 0; i < elementCount; i++) data[i] = Math.sin((i + 1) * 0.37 + k * 1.3 + seed);
  return data;
}
