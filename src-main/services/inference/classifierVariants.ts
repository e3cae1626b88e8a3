// The land-cover classifier's file by measurement: its full-precision file and every variant whose recorded
// accuracy keeps the bar (core/models/modelVariants.ts) are timed once per machine on the CPU, kept in the same
// user-data file as the run's thread calibrations, and the fastest is used. Change models are chosen the same
// way inside a run's calibration (services/runs/RunService.ts).
import { chooseModelFile, eligibleVariants } from '../../core/models/modelVariants';
import { readModelCard } from './modelCatalog';
import { defaultInferenceThreads, LandCoverClassifier } from './onnxModel';
import { onnxRuntimeVersion, type ProviderRequest } from './providers';
import { calibrationKey, loadPerCore, type CalibrationCache } from './threadCalibration';

/** Patches per timed batch and the time spent timing one file. */
const BATCH = 32;
const MEASURE_MS = 500;

/** Input-Mpx/s of a loaded classifier on batches of BATCH patches (after one warm-up batch). */
export async function classifierRate(classifier: LandCoverClassifier): Promise<number> {
  const size = classifier.inputSize;
  const input = new Float32Array(BATCH * classifier.card.bands.length * size * size).map((_, i) =>
    Math.sin(i * 0.013),
  );
  await classifier.predict(input, BATCH);
  let patches = 0;
  const started = performance.now();
  while (performance.now() - started < MEASURE_MS || patches === 0) {
    await classifier.predict(input, BATCH);
    patches += BATCH;
  }
  return (patches * size * size) / 1e6 / ((performance.now() - started) / 1000);
}

export interface MeasuredClassifierOptions {
  provider: ProviderRequest;
  /** Keeps each file's measured speed per machine (user data); without it every load measures again. */
  calibration?: CalibrationCache;
  /** Part of the kept measurement's key (default: the loaded ONNX Runtime's). */
  ortVersion?: string;
  /** How a loaded file is timed (tests pass fakes). */
  rate?: (classifier: LandCoverClassifier) => Promise<number>;
}

/**
 * Loads the classifier's fastest file on this machine among full precision and its eligible variants. On a GPU
 * provider, or with no eligible variant, the full-precision file is loaded as before, unmeasured.
 */
export async function loadMeasuredClassifier(
  cardPath: string,
  options: MeasuredClassifierOptions,
): Promise<LandCoverClassifier> {
  const card = readModelCard(cardPath);
  const variants = eligibleVariants(card);
  if (variants.length === 0) return LandCoverClassifier.load(cardPath, { provider: options.provider });
  const threads = defaultInferenceThreads();
  const keyOf = (sha256: string) => calibrationKey(sha256, 'cpu', options.ortVersion ?? onnxRuntimeVersion());
  const files: [string, string][] = [
    [card.file, card.sha256],
    ...variants.map((v): [string, string] => [v.file, v.sha256]),
  ];
  const keptRate = (sha256: string) => options.calibration?.get(keyOf(sha256))?.chipMpxPerS[threads];

  // Every file measured before on this machine: load only the one chosen (a process start pays one load).
  if (files.every(([, sha256]) => keptRate(sha256) !== undefined)) {
    const choice = chooseModelFile(card, Object.fromEntries(files.map(([f, sha]) => [f, keptRate(sha)!])));
    if (choice.precision !== 'full') {
      const variant = await LandCoverClassifier.load(cardPath, {
        provider: options.provider,
        variantFile: choice.file,
      }).catch(() => null);
      if (variant?.model.providerUsed === 'cpu') return variant;
      await variant?.dispose();
    }
    return LandCoverClassifier.load(cardPath, { provider: options.provider });
  }

  const full = await LandCoverClassifier.load(cardPath, { provider: options.provider });
  if (full.model.providerUsed !== 'cpu') return full; // variants are measured for the CPU provider only
  const rate = options.rate ?? classifierRate;
  const loaded = new Map<string, LandCoverClassifier>([[card.file, full]]);
  const rates: Record<string, number> = {};
  for (const [file, sha256] of files) {
    try {
      const classifier =
        loaded.get(file) ??
        (await LandCoverClassifier.load(cardPath, { provider: 'cpu', variantFile: file }));
      loaded.set(file, classifier);
      rates[file] = await rate(classifier);
      await options.calibration?.set(keyOf(sha256), {
        threads,
        chipMpxPerS: { [threads]: rates[file] },
        measuredAt: new Date().toISOString(),
        loadPerCore: loadPerCore(),
      });
    } catch {
      // A variant that does not load here (its self-test differs on this CPU) is not a candidate.
    }
  }
  const chosen = loaded.get(chooseModelFile(card, rates).file) ?? full;
  for (const classifier of loaded.values()) if (classifier !== chosen) await classifier.dispose();
  return chosen;
}
