// Plain decimal text for coordinates and measures. JavaScript's String(n) switches to exponent notation below
// 1e-6 ("1e-7"), which some WKT and CSV readers reject; toFixed never does, and we trim its trailing zeros.

/** Shortest round-trip decimal text without exponent notation for |n| < 1e21; '' for NaN and infinities. */
export function plainNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const s = String(n);
  // Exponent form appears only for |n| < 1e-6 (handled here) or |n| >= 1e21 (never a coordinate or measure).
  if (!s.includes('e-')) return s;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}
