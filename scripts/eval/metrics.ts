// Accuracy figures for `npm run eval`: pixel counts of a binary change map against its truth, and a confusion
// matrix for classifiers.

/** Pixel counts of a predicted change mask against the truth. */
export interface BinaryCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export const emptyCounts = (): BinaryCounts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

/** Adds one scene's pixels (predicted and truth: 1 = change) into counts; pixels with valid = 0 are skipped. */
export function addMaskCounts(
  counts: BinaryCounts,
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  valid?: ArrayLike<number>,
): BinaryCounts {
  if (predicted.length !== truth.length) throw new Error('Predicted and truth masks differ in size.');
  for (let i = 0; i < truth.length; i++) {
    if (valid && !valid[i]) continue;
    const p = predicted[i] !== 0;
    const t = truth[i] !== 0;
    if (p && t) counts.tp++;
    else if (p) counts.fp++;
    else if (t) counts.fn++;
    else counts.tn++;
  }
  return counts;
}

export interface BinaryScores {
  precision: number;
  recall: number;
  f1: number;
  iou: number;
}

/** Precision, recall, F1 and IoU of the change class; 0 where undefined (no predicted or no true change). */
export function binaryScores(c: BinaryCounts): BinaryScores {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    precision,
    recall,
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    iou: ratio(c.tp, c.tp + c.fp + c.fn),
  };
}

/** A square confusion matrix: rows = true class, columns = predicted class. */
export class ConfusionMatrix {
  readonly cells: number[][];
  constructor(readonly classes: readonly string[]) {
    this.cells = classes.map(() => classes.map(() => 0));
  }

  add(truth: number, predicted: number): void {
    this.cells[truth][predicted]++;
  }

  get total(): number {
    return this.cells.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  }

  /** Share of samples on the diagonal. */
  accuracy(): number {
    const total = this.total;
    return total > 0 ? this.cells.reduce((s, row, k) => s + row[k], 0) / total : 0;
  }

  /** Recall of each class (row-normalised diagonal); NaN for a class with no samples. */
  recallPerClass(): number[] {
    return this.cells.map((row, k) => {
      const n = row.reduce((a, b) => a + b, 0);
      return n > 0 ? row[k] / n : Number.NaN;
    });
  }

  /** A fixed-width text table with class names abbreviated to fit. */
  format(): string {
    const short = this.classes.map((c) => c.slice(0, 9));
    const w = Math.max(5, ...short.map((s) => s.length)) + 1;
    const pad = (s: string) => s.padStart(w);
    const lines = [pad('true\\pred') + short.map(pad).join('') + pad('recall')];
    const recall = this.recallPerClass();
    this.cells.forEach((row, k) => {
      const r = Number.isNaN(recall[k]) ? '-' : recall[k].toFixed(3);
      lines.push(pad(short[k]) + row.map((v) => pad(String(v))).join('') + pad(r));
    });
    return lines.join('\n');
  }
}
