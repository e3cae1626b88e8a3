// 8-connected component labelling of one mask array (two-pass with union-find). Labels are compact (1..count,
// numbered in the order their first pixel appears in a raster scan), so the same mask always gives the same
// labels: the chunked labeller relies on that to relabel a chunk in a second pass without storing its labels.

export interface LocalLabels {
  labels: Int32Array;
  count: number;
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

function union(parent: Int32Array, a: number, b: number): number {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra === rb) return ra;
  // The smaller label stays root: roots are then met before their members in label order (see below).
  if (ra < rb) {
    parent[rb] = ra;
    return ra;
  }
  parent[ra] = rb;
  return rb;
}

export function labelLocal(
  mask: Uint8Array,
  w: number,
  h: number,
  labels = new Int32Array(w * h),
): LocalLabels {
  // Provisional labels never exceed about a quarter of the pixels in 8-connectivity; w*h/2 + 2 is safe.
  const parent = new Int32Array(((w * h) >> 1) + 2);
  let next = 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const up = row - w;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      if (mask[p] === 0) {
        labels[p] = 0;
        continue;
      }
      let l = 0;
      if (x > 0 && labels[p - 1] !== 0) l = labels[p - 1];
      if (y > 0) {
        if (x > 0 && labels[up + x - 1] !== 0)
          l = l === 0 ? labels[up + x - 1] : union(parent, l, labels[up + x - 1]);
        if (labels[up + x] !== 0) l = l === 0 ? labels[up + x] : union(parent, l, labels[up + x]);
        if (x + 1 < w && labels[up + x + 1] !== 0)
          l = l === 0 ? labels[up + x + 1] : union(parent, l, labels[up + x + 1]);
      }
      if (l === 0) {
        l = next++;
        parent[l] = l;
      }
      labels[p] = l;
    }
  }
  // Compact: roots are smaller than their members, so one increasing sweep resolves every label.
  const compact = new Int32Array(next);
  let count = 0;
  for (let i = 1; i < next; i++) {
    const r = find(parent, i);
    compact[i] = r === i ? ++count : compact[r];
  }
  for (let p = 0; p < w * h; p++) if (labels[p] !== 0) labels[p] = compact[labels[p]];
  return { labels, count };
}
