// Rasterising shapes onto the sample scene's pixel grid (pixel centres at x + 0.5, y + 0.5).

/** A point in pixel coordinates of the scene grid (x to the right, y down). */
export type PixelPoint = [number, number];

/** Calls visit(x, y) for every pixel whose centre lies inside the polygon (even-odd rule, scanline fill). */
export function fillPolygon(
  width: number,
  height: number,
  ring: readonly PixelPoint[],
  visit: (x: number, y: number) => void,
): void {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [, y] of ring) {
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const y0 = Math.max(0, Math.floor(minY));
  const y1 = Math.min(height - 1, Math.ceil(maxY));
  const crossings: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xa, ya] = ring[j];
      const [xb, yb] = ring[i];
      if (ya <= cy !== yb <= cy) crossings.push(xa + ((cy - ya) / (yb - ya)) * (xb - xa));
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const xs = Math.max(0, Math.ceil(crossings[k] - 0.5));
      const xe = Math.min(width - 1, Math.floor(crossings[k + 1] - 0.5));
      for (let x = xs; x <= xe; x++) visit(x, y);
    }
  }
}

/**
 * Calls visit(x, y, distance) for every pixel whose centre is within halfWidth of the polyline; distance is from the
 * pixel centre to the line, so callers can draw a road and its verges in one pass.
 */
export function strokePolyline(
  width: number,
  height: number,
  line: readonly PixelPoint[],
  halfWidth: number,
  visit: (x: number, y: number, distance: number) => void,
): void {
  for (let s = 0; s + 1 < line.length; s++) {
    const [ax, ay] = line[s];
    const [bx, by] = line[s + 1];
    const xs = Math.max(0, Math.floor(Math.min(ax, bx) - halfWidth));
    const xe = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + halfWidth));
    const ys = Math.max(0, Math.floor(Math.min(ay, by) - halfWidth));
    const ye = Math.min(height - 1, Math.ceil(Math.max(ay, by) + halfWidth));
    const dx = bx - ax;
    const dy = by - ay;
    const lengthSq = dx * dx + dy * dy || 1;
    for (let y = ys; y <= ye; y++) {
      for (let x = xs; x <= xe; x++) {
        const px = x + 0.5 - ax;
        const py = y + 0.5 - ay;
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / lengthSq));
        const ex = px - t * dx;
        const ey = py - t * dy;
        const d = Math.sqrt(ex * ex + ey * ey);
        if (d <= halfWidth) visit(x, y, d);
      }
    }
  }
}

/** The corners of a rectangle centred at (cx, cy), `length` along the angle and `depth` across it. */
export function rotatedRectangle(
  cx: number,
  cy: number,
  length: number,
  depth: number,
  angle: number,
): PixelPoint[] {
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  const hl = length / 2;
  const hd = depth / 2;
  return [
    [cx - ux * hl + uy * hd, cy - uy * hl - ux * hd],
    [cx + ux * hl + uy * hd, cy + uy * hl - ux * hd],
    [cx + ux * hl - uy * hd, cy + uy * hl + ux * hd],
    [cx - ux * hl - uy * hd, cy - uy * hl + ux * hd],
  ];
}

/** A closed blob outline around (cx, cy): radius varies smoothly with angle, `wobble` as a fraction of it. */
export function blobOutline(
  cx: number,
  cy: number,
  radius: number,
  wobble: number,
  phases: readonly number[],
  vertices = 48,
): PixelPoint[] {
  const ring: PixelPoint[] = [];
  for (let v = 0; v < vertices; v++) {
    const a = (v / vertices) * 2 * Math.PI;
    let r = 1;
    phases.forEach((phase, k) => {
      r += (wobble / (k + 1)) * Math.sin((k + 2) * a + phase);
    });
    ring.push([cx + Math.cos(a) * radius * r, cy + Math.sin(a) * radius * r]);
  }
  return ring;
}
