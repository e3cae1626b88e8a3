// Image resizing as the training pipeline did it (PIL's Image.resize with BILINEAR on uint8 RGB): a triangle
// filter whose support widens with the shrink factor (antialiased), then rounding back to 8 bits. Matching it
// keeps the classifier's inputs at evaluation identical to those it was validated on in training.

/** Weights of one output axis: for each output index, the first source index and its normalised weights. */
function axisWeights(inSize: number, outSize: number): { first: number[]; weights: Float64Array[] } {
  const scale = inSize / outSize;
  const support = scale > 1 ? scale : 1;
  const first: number[] = [];
  const weights: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(inSize, Math.ceil(centre + support));
    const w = new Float64Array(hi - lo);
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const x = Math.abs((i + 0.5 - centre) / support);
      const v = x < 1 ? 1 - x : 0;
      w[i - lo] = v;
      sum += v;
    }
    for (let k = 0; k < w.length; k++) w[k] /= sum || 1;
    first.push(lo);
    weights.push(w);
  }
  return { first, weights };
}

/** Resizes band-planar uint8 pixels (bands x h x w) to outW x outH, rounding to whole values like PIL. */
export function resizeBilinearUint8(
  src: ArrayLike<number>,
  width: number,
  height: number,
  bands: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const xs = axisWeights(width, outWidth);
  const ys = axisWeights(height, outHeight);
  const out = new Uint8Array(bands * outWidth * outHeight);
  const tmp = new Float64Array(height * outWidth);
  for (let b = 0; b < bands; b++) {
    const base = b * width * height;
    // Horizontal pass, then vertical (PIL also rounds between passes on 8-bit images).
    for (let y = 0; y < height; y++) {
      for (let o = 0; o < outWidth; o++) {
        const w = xs.weights[o];
        let s = 0;
        for (let k = 0; k < w.length; k++) s += w[k] * src[base + y * width + xs.first[o] + k];
        tmp[y * outWidth + o] = Math.min(255, Math.max(0, Math.round(s)));
      }
    }
    for (let o = 0; o < outHeight; o++) {
      const w = ys.weights[o];
      for (let x = 0; x < outWidth; x++) {
        let s = 0;
        for (let k = 0; k < w.length; k++) s += w[k] * tmp[(ys.first[o] + k) * outWidth + x];
        out[b * outWidth * outHeight + o * outWidth + x] = Math.min(255, Math.max(0, Math.round(s)));
      }
    }
  }
  return out;
}
