// 8-connected component labelling of one mask array, run by run: each row's runs of change pixels are joined
// (union-find) with the runs of the row above that touch them, corners included. Labels are compact
// (1..count, numbered in the order their first pixel appears in a raster scan), so the same mask always gives
// the same labels: the chunked labeller relies on that. Runs are returned too: per-region sums over runs are
// much cheaper than per pixel.

export interface LocalLabels {
  labels: Int32Array;
  count: number;
  /** Runs in raster order: row, first and last column (inclusive), and compact label. */
  runs: { count: number; row: Int32Array; start: Int32Array; end: Int32Array; label: Int32Array };
}

let scratch = {
  row: new Int32Array(0),
  start: new Int32Array(0),
  end: new Int32Array(0),
  parent: new Int32Array(0),
};

function ensureScratch(n: number): void {
  if (scratch.row.length >= n) return;
  const size = Math.max(n, scratch.row.length * 2, 1024);
  scratch = {
    row: new Int32Array(size),
    start: new Int32Array(size),
    end: new Int32Array(size),
    parent: new Int32Array(size),
  };
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

export function labelLocal(
  mask: Uint8Array,
  w: number,
  h: number,
  labels = new Int32Array(w * h),
): LocalLabels {
  // At most ceil(w/2) runs per row.
  ensureScratch(((w + 1) >> 1) * h + 1);
  const { row: runRow, start: runStart, end: runEnd, parent } = scratch;
  let n = 0;
  let prevFirst = 0; // runs of the row above: [prevFirst, prevEnd)
  let prevEnd = 0;
  for (let y = 0; y < h; y++) {
    const base = y * w;
    const first = n;
    let x = 0;
    let p = prevFirst;
    while (x < w) {
      while (x < w && mask[base + x] === 0) x++;
      if (x >= w) break;
      const s = x;
      while (x < w && mask[base + x] !== 0) x++;
      const e = x - 1;
      runRow[n] = y;
      runStart[n] = s;
      runEnd[n] = e;
      parent[n] = n;
      // Runs above touching [s - 1, e + 1]; p only moves forward because runs are sorted.
      while (p < prevEnd && runEnd[p] < s - 1) p++;
      for (let q = p; q < prevEnd && runStart[q] <= e + 1; q++) {
        const a = find(parent, q);
        const b = find(parent, n);
        if (a < b) parent[b] = a;
        else if (b < a) parent[a] = b;
      }
      n++;
    }
    prevFirst = first;
    prevEnd = n;
  }
  // Compact: a root is the smallest run of its set, i.e. its first run in raster order.
  const label = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    label[i] = r === i ? ++count : label[r];
  }
  labels.fill(0);
  for (let i = 0; i < n; i++) {
    const o = runRow[i] * w;
    labels.fill(label[i], o + runStart[i], o + runEnd[i] + 1);
  }
  return {
    labels,
    count,
    runs: { count: n, row: runRow.slice(0, n), start: runStart.slice(0, n), end: runEnd.slice(0, n), label },
  };
}
