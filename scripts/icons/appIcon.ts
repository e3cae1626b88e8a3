// The app icon, drawn in code: the one source every icon file in resources/ is made from (scripts/make-icons.ts).
// Two map sheets, "before" (fields) and "after" (with a new built-up patch outlined in orange), on a dark
// rounded square. Shapes are in unit coordinates (0..1, y down) and each size is rendered directly with
// supersampling, so small icons stay sharp instead of being shrunk from the large one.

type Rgba = readonly [number, number, number, number];

interface Layer {
  inside(x: number, y: number): boolean;
  colour(x: number, y: number): Rgba;
}

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number) {
  return (x: number, y: number): boolean => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return dx * dx + dy * dy <= r * r;
  };
}

function polygon(points: readonly (readonly [number, number])[]) {
  return (x: number, y: number): boolean => {
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [xi, yi] = points[i];
      const [xj, yj] = points[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
}

function nearSegments(points: readonly (readonly [number, number])[], halfWidth: number) {
  return (x: number, y: number): boolean => {
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [ax, ay] = points[j];
      const [bx, by] = points[i];
      const t = Math.max(
        0,
        Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
      );
      if (Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) <= halfWidth) return true;
    }
    return false;
  };
}

const solid = (colour: Rgba) => (): Rgba => colour;

const background = roundedRect(0.06, 0.06, 0.94, 0.94, 0.2);
const beforeSheet = roundedRect(0.17, 0.17, 0.6, 0.6, 0.045);
const afterSheet = roundedRect(0.36, 0.36, 0.83, 0.83, 0.045);
const afterInner = roundedRect(0.375, 0.375, 0.815, 0.815, 0.035);
const patch: [number, number][] = [
  [0.5, 0.47],
  [0.7, 0.45],
  [0.74, 0.62],
  [0.66, 0.72],
  [0.49, 0.69],
];

const LAYERS: readonly Layer[] = [
  {
    inside: background,
    // Deep blue at the top to teal at the bottom.
    colour: (_x, y) => [22, 50 + 32 * y, 74 + 13 * y, 255],
  },
  { inside: beforeSheet, colour: solid([134, 182, 111, 255]) },
  {
    // Field boundaries on the "before" sheet.
    inside: (x, y) => beforeSheet(x, y) && (Math.abs(x - 0.31) < 0.006 || Math.abs(y - 0.4) < 0.006),
    colour: solid([96, 140, 78, 255]),
  },
  { inside: afterSheet, colour: solid([11, 36, 54, 255]) },
  { inside: afterInner, colour: solid([241, 239, 230, 255]) },
  { inside: polygon(patch), colour: solid([255, 122, 26, 255]) },
  { inside: nearSegments(patch, 0.012), colour: solid([196, 84, 10, 255]) },
];

/** The icon as RGBA pixels, size x size, rows top to bottom; transparent outside the rounded square. */
export function drawAppIcon(size: number, supersampling = size >= 256 ? 3 : 4): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = supersampling;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // Premultiplied sums over the subsamples, each composited front over back.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const layer of LAYERS) {
            if (!layer.inside(x, y)) continue;
            const [lr, lg, lb, la] = layer.colour(x, y);
            const alpha = la / 255;
            cr = lr * alpha + cr * (1 - alpha);
            cg = lg * alpha + cg * (1 - alpha);
            cb = lb * alpha + cb * (1 - alpha);
            ca = alpha + ca * (1 - alpha);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
        out[i + 3] = Math.round((a / (n * n)) * 255);
      }
    }
  }
  return out;
}
