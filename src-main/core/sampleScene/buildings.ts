// Buildings for the sample scene: a roof with a ridge, and a shadow cast to the north-west (sun in the south-east).
import { fillPolygon, rotatedRectangle } from './draw';
import { addObject, Surface, type SceneCanvas } from './surfaces';

export interface Footprint {
  cx: number;
  cy: number;
  /** Along the ridge, pixels. */
  length: number;
  /** Across the ridge, pixels. */
  depth: number;
  angle: number;
}

/** Shadow direction per pixel of building height (towards the north-west, i.e. up-left). */
const SHADOW_DIRECTION: [number, number] = [-0.55, -0.75];

/** The footprint's outline: its rotated rectangle. */
function footprintRing(footprint: Footprint) {
  return rotatedRectangle(footprint.cx, footprint.cy, footprint.length, footprint.depth, footprint.angle);
}

/** True if every pixel of the footprint may be built on (allowed(surface) for each). */
export function footprintFits(
  canvas: SceneCanvas,
  footprint: Footprint,
  allowed: (surface: number, index: number) => boolean,
): boolean {
  const ring = footprintRing(footprint);
  let fits = true;
  let inside = 0;
  fillPolygon(canvas.width, canvas.height, ring, (x, y) => {
    inside++;
    const i = y * canvas.width + x;
    if (!allowed(canvas.surface[i], i)) fits = false;
  });
  return fits && inside > 0;
}

/**
 * Paints a building: shadow first (on whatever it falls on), then the roof. `pitch` is the brightness difference
 * between the two roof halves (0 for a flat roof). `mayPaint(index)` clips the drawing (e.g. to a change polygon).
 */
export function paintBuilding(
  canvas: SceneCanvas,
  footprint: Footprint,
  tone: [number, number, number],
  heightPx: number,
  pitch: number,
  mayPaint: (index: number) => boolean = () => true,
  roof: Surface = Surface.roof,
): void {
  const { width, height } = canvas;
  const ring = footprintRing(footprint);
  const steps = Math.max(1, Math.ceil(heightPx));
  for (let s = 1; s <= steps; s++) {
    const f = (s / steps) * heightPx;
    const moved = ring.map(
      ([x, y]) => [x + SHADOW_DIRECTION[0] * f, y + SHADOW_DIRECTION[1] * f] as [number, number],
    );
    fillPolygon(width, height, moved, (x, y) => {
      const i = y * width + x;
      if (mayPaint(i)) canvas.shadow[i] = 190;
    });
  }
  const id = addObject(canvas, {
    tone,
    angle: footprint.angle,
    rowPeriod: 0,
    rowAmplitude: pitch,
    centre: [footprint.cx, footprint.cy],
  });
  fillPolygon(width, height, ring, (x, y) => {
    const i = y * width + x;
    if (!mayPaint(i)) return;
    canvas.surface[i] = roof;
    canvas.object[i] = id;
    canvas.shadow[i] = 0;
  });
}

export const ROOF_TONES: [number, number, number][] = [
  [158, 84, 64],
  [140, 74, 60],
  [172, 98, 72],
  [118, 70, 62],
  [122, 122, 128],
  [84, 86, 92],
  [176, 170, 164],
];

export const INDUSTRIAL_ROOF_TONES: [number, number, number][] = [
  [196, 198, 200],
  [174, 178, 182],
  [150, 154, 160],
  [206, 200, 190],
];
