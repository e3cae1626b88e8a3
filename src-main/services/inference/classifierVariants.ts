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
  const full = await LandCoverClassifier.load(cardPath, { provider: options.provider });
  const card = readModelCard(cardPath);
  const variants = eligibleVariants(card);
  if (variants.length === 0 || full.model.providerUsed !== 'cpu') return full;
  const rate = options.rate ?? classifierRate;
  const threads = defaultInferenceThreads();
  const loaded = new Map<string, LandCoverClassifier>([[card.file, full]]);
  const rates: Record<string, number> = {};
  for (const [file, sha256] of [[card.file, card.sha256], ...variants.map((v) => [v.file, v.sha256])]) {
    const key = calibrationKey(sha256, 'cpu', options.ortVersion ?? onnxRuntimeVersion());
    const kept = options.calibration?.get(key);
    if (kept && kept.chipMpxPerS[threads] !== undefined) {
      rates[file] = kept.chipMpxPerS[threads];
      continue;
    }
    try {
      const classifier =
        loaded.get(file) ??
        (await LandCoverClassifier.load(cardPath, { provider: 'cpu', variantFile: file }));
      loaded.set(file, classifier);
      rates[file] = await rate(classifier);
      await options.calibration?.set(key, {
        threads,
        chipMpxPerS: { [threads]: rates[file] },
        measuredAt: new Date().toISOString(),
        loadPerCore: loadPerCore(),
      });
    } catch {
      // A variant that does not load here (its self-test differs on this CPU) is not a candidate.
    }
  }
  const choice = chooseModelFile(card, rates);
  let chosen = loaded.get(choice.file);
  if (!chosen) {
    chosen =
      choice.precision === 'full'
        ? full
        : await LandCoverClassifier.load(cardPath, { provider: 'cpu', variantFile: choice.file });
  }
  for (const classifier of loaded.values()) if (classifier !== chosen) await classifier.dispose();
  return chosen;
}
