// The rural landscape of the sample scene: field parcels, forest, a river and a lake, main roads and farm tracks.
import { blobOutline, fillPolygon, strokePolyline, type PixelPoint } from './draw';
import { fbm } from './noise';
import type { Random } from './random';
import { addObject, createCanvas, Surface, type SceneCanvas } from './surfaces';

/** One field parcel: an axis-aligned rectangle in the rotated field frame (u along the field grain, v across). */
export interface Parcel {
  u0: number;
  u1: number;
  v0: number;
  v1: number;
  object: number;
  meadow: boolean;
}

export interface Landscape {
  canvas: SceneCanvas;
  /** Angle of the field grain (radians): the u axis of the parcel frame. */
  grainAngle: number;
  parcels: Parcel[];
  mainRoads: PixelPoint[][];
  river: PixelPoint[];
}

/** Field colours of early summer: growing crops (green), ripening cereals (straw), late-sown row crops (soil). */
export const CROP_TONES: [number, number, number][] = [
  [92, 122, 60],
  [72, 102, 50],
  [104, 132, 66],
  [194, 176, 120],
  [176, 160, 116],
  [130, 104, 80],
  [150, 128, 98],
  [140, 140, 84],
];

/** What each early-summer field state can have become by late summer, as indices into CROP_TONES. */
const LATE_SUMMER_STATES: Record<'green' | 'straw' | 'soil', number[]> = {
  // Cereals and rapeseed: harvested to stubble, or already cultivated.
  green: [3, 4, 4, 5, 6],
  straw: [4, 5, 6],
  // Maize, beet and sunflower, sown late: a full green canopy by now.
  soil: [0, 1, 2],
};

/**
 * The late-summer colour of a field whose state changed since early summer (harvest, tillage, a row crop grown up):
 * `pick` in [0, 1) chooses among the states that can follow its early-summer `tone`.
 */
export function lateSummerTone(tone: readonly number[], pick: number): [number, number, number] {
  const state = tone[1] > tone[0] + 12 ? 'green' : tone[1] > 0.88 * tone[0] ? 'straw' : 'soil';
  const options = LATE_SUMMER_STATES[state];
  return CROP_TONES[options[Math.floor(pick * options.length)]];
}

const toFrame = (x: number, y: number, angle: number): [number, number] => [
  x * Math.cos(angle) + y * Math.sin(angle),
  -x * Math.sin(angle) + y * Math.cos(angle),
];
export const fromFrame = (u: number, v: number, angle: number): PixelPoint => [
  u * Math.cos(angle) - v * Math.sin(angle),
  u * Math.sin(angle) + v * Math.cos(angle),
];

/** Cuts the frame's rectangle into parcels by recursive splits (fields are long strips and blocks). */
function splitParcels(random: Random, u0: number, u1: number, v0: number, v1: number, out: Parcel[]): void {
  const du = u1 - u0;
  const dv = v1 - v0;
  const minSide = 34;
  const longSide = Math.max(du, dv);
  const canSplit = longSide > 2 * minSide + 4;
  const smallEnough = longSide < 240 && Math.min(du, dv) < 140;
  if (!canSplit || (smallEnough && random.next() < 0.55)) {
    out.push({ u0, u1, v0, v1, object: 0, meadow: false });
    return;
  }
  const f = random.range(0.3, 0.7);
  if (du >= dv) {
    const cut = u0 + Math.max(minSide, Math.min(du - minSide, du * f));
    splitParcels(random, u0, cut, v0, v1, out);
    splitParcels(random, cut, u1, v0, v1, out);
  } else {
    const cut = v0 + Math.max(minSide, Math.min(dv - minSide, dv * f));
    splitParcels(random, u0, u1, v0, cut, out);
    splitParcels(random, u0, u1, cut, v1, out);
  }
}

/** A wandering line across the scene: heading drifts randomly but is pulled back to `heading`. */
export function wanderingLine(
  random: Random,
  start: PixelPoint,
  heading: number,
  step: number,
  steps: number,
  wander: number,
): PixelPoint[] {
  const line: PixelPoint[] = [start];
  let [x, y] = start;
  let h = heading;
  let drift = 0;
  for (let s = 0; s < steps; s++) {
    drift = 0.8 * drift + random.normal() * wander;
    h = heading + drift;
    x += Math.cos(h) * step;
    y += Math.sin(h) * step;
    line.push([x, y]);
  }
  return line;
}

function paintParcels(
  canvas: SceneCanvas,
  random: Random,
  grainAngle: number,
): { parcels: Parcel[]; parcelOf: Int32Array } {
  const { width, height } = canvas;
  const corners = [
    toFrame(0, 0, grainAngle),
    toFrame(width, 0, grainAngle),
    toFrame(0, height, grainAngle),
    toFrame(width, height, grainAngle),
  ];
  const us = corners.map((c) => c[0]);
  const vs = corners.map((c) => c[1]);
  const parcels: Parcel[] = [];
  splitParcels(
    random,
    Math.min(...us) - 1,
    Math.max(...us) + 1,
    Math.min(...vs) - 1,
    Math.max(...vs) + 1,
    parcels,
  );
  for (const parcel of parcels) {
    const meadow = random.next() < 0.14;
    const base = meadow ? ([108, 134, 70] as [number, number, number]) : random.pick(CROP_TONES);
    const jitter = random.range(0.92, 1.08);
    const alongLongSide = parcel.u1 - parcel.u0 >= parcel.v1 - parcel.v0;
    parcel.object = addObject(canvas, {
      tone: [base[0] * jitter, base[1] * jitter, base[2] * random.range(0.95, 1.05) * jitter],
      angle: grainAngle + (alongLongSide ? 0 : Math.PI / 2),
      rowPeriod: meadow ? 0 : random.range(4, 8),
      rowAmplitude: meadow ? 0 : random.range(0.03, 0.09),
      centre: [0, 0],
    });
    parcel.meadow = meadow;
  }
  // Each parcel is filled as a polygon, so every pixel is visited once.
  const cos = Math.cos(grainAngle);
  const sin = Math.sin(grainAngle);
  const parcelOf = new Int32Array(width * height).fill(-1);
  parcels.forEach((q, p) => {
    const hedge = random.next() < 0.3;
    const meadow = q.meadow;
    const ring = [
      fromFrame(q.u0, q.v0, grainAngle),
      fromFrame(q.u1, q.v0, grainAngle),
      fromFrame(q.u1, q.v1, grainAngle),
      fromFrame(q.u0, q.v1, grainAngle),
    ];
    fillPolygon(width, height, ring, (x, y) => {
      const u = (x + 0.5) * cos + (y + 0.5) * sin;
      const v = -(x + 0.5) * sin + (y + 0.5) * cos;
      const i = y * width + x;
      parcelOf[i] = p;
      const edge = Math.min(u - q.u0, q.u1 - u, v - q.v0, q.v1 - v);
      if (hedge && v - q.v0 < 2.2) {
        canvas.surface[i] = Surface.trees;
      } else if (edge < 1) {
        canvas.surface[i] = Surface.meadow;
      } else {
        canvas.surface[i] = meadow ? Surface.meadow : Surface.crop;
        canvas.object[i] = q.object;
      }
    });
  });
  return { parcels, parcelOf };
}

/** Forest where a smooth noise field is highest (about `share` of the scene), snapped to parcels where mostly wooded. */
function paintForest(
  canvas: SceneCanvas,
  seed: number,
  share: number,
  parcelOf: Int32Array,
  parcelCount: number,
): void {
  const { width, height } = canvas;
  const field = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      field[y * width + x] = 0.85 * fbm(x, y, seed, 420, 3) + 0.15 * fbm(x, y, seed + 50, 40, 2);
    }
  }
  const sorted = Float32Array.from(field).sort();
  const threshold = sorted[Math.floor((1 - share) * (sorted.length - 1))];
  const wooded = new Float64Array(parcelCount);
  const total = new Float64Array(parcelCount);
  for (let i = 0; i < field.length; i++) {
    const p = parcelOf[i];
    if (p < 0) continue;
    total[p]++;
    if (field[i] > threshold) wooded[p]++;
  }
  for (let i = 0; i < field.length; i++) {
    const p = parcelOf[i];
    const fraction = p >= 0 ? wooded[p] / total[p] : 0.5;
    const forest = fraction > 0.6 || (fraction > 0.2 && field[i] > threshold);
    if (forest) {
      canvas.surface[i] = Surface.forest;
      canvas.object[i] = 0;
    }
  }
}

function paintWater(canvas: SceneCanvas, random: Random, seed: number): PixelPoint[] {
  const { width, height } = canvas;
  const river = wanderingLine(
    random,
    [-20, height * random.range(0.25, 0.45)],
    random.range(-0.15, 0.25),
    10,
    Math.ceil((width + 80) / 9),
    0.12,
  );
  const halfWidth = random.range(6, 8.5);
  // Banks first (a strip of meadow and trees), then the water over them.
  strokePolyline(width, height, river, halfWidth + 7, (x, y, d) => {
    const i = y * width + x;
    if (d > halfWidth) {
      canvas.surface[i] = fbm(x, y, seed + 3, 12, 2) > 0.5 ? Surface.trees : Surface.meadow;
      canvas.object[i] = 0;
    }
  });
  strokePolyline(width, height, river, halfWidth, (x, y) => {
    const i = y * width + x;
    canvas.surface[i] = Surface.water;
    canvas.object[i] = 0;
  });
  // A lake in the lower half, away from the river.
  const lake = blobOutline(
    width * random.range(0.55, 0.8),
    height * random.range(0.7, 0.85),
    random.range(55, 85),
    0.25,
    [random.range(0, 6), random.range(0, 6), random.range(0, 6)],
  );
  fillPolygon(width, height, grow(lake, 6), (x, y) => {
    const i = y * width + x;
    if (canvas.surface[i] !== Surface.water) {
      canvas.surface[i] = Surface.meadow;
      canvas.object[i] = 0;
    }
  });
  fillPolygon(width, height, lake, (x, y) => {
    const i = y * width + x;
    canvas.surface[i] = Surface.water;
    canvas.object[i] = 0;
  });
  return river;
}

/** The ring pushed outwards from its centroid by `by` pixels (good enough for round blobs). */
export function grow(ring: readonly PixelPoint[], by: number): PixelPoint[] {
  const cx = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const cy = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  return ring.map(([x, y]) => {
    const d = Math.hypot(x - cx, y - cy) || 1;
    return [x + ((x - cx) / d) * by, y + ((y - cy) / d) * by] as PixelPoint;
  });
}

/** Paints a road: asphalt (or a track) with verges; bridges simply cross water. */
export function paintRoad(
  canvas: SceneCanvas,
  line: readonly PixelPoint[],
  halfWidth: number,
  vergeWidth: number,
  surface: Surface,
  verge: Surface = Surface.verge,
  mayPaint: (index: number) => boolean = () => true,
): void {
  const { width, height } = canvas;
  strokePolyline(width, height, line, halfWidth + vergeWidth, (x, y, d) => {
    const i = y * width + x;
    if (!mayPaint(i)) return;
    if (d <= halfWidth) {
      canvas.surface[i] = surface;
      canvas.object[i] = 0;
      canvas.shadow[i] = 0;
    } else if (canvas.surface[i] !== Surface.water && canvas.surface[i] !== surface) {
      canvas.surface[i] = verge;
      canvas.object[i] = 0;
    }
  });
}

function paintRoads(
  canvas: SceneCanvas,
  random: Random,
  grainAngle: number,
  parcels: Parcel[],
): PixelPoint[][] {
  const { width, height } = canvas;
  const northSouth = wanderingLine(
    random,
    [width * random.range(0.3, 0.6), -20],
    Math.PI / 2 + random.range(-0.2, 0.2),
    12,
    Math.ceil((height + 60) / 11),
    0.05,
  );
  const eastWest = wanderingLine(
    random,
    [-20, height * random.range(0.55, 0.7)],
    random.range(-0.15, 0.1),
    12,
    Math.ceil((width + 60) / 11),
    0.05,
  );
  const secondary = wanderingLine(
    random,
    [width * random.range(0.7, 0.9), height + 20],
    -Math.PI / 2 + random.range(-0.35, 0.1),
    12,
    Math.ceil((height * 0.7) / 11),
    0.06,
  );
  // Farm tracks along some parcel edges first, so main roads are drawn over them.
  for (const parcel of parcels) {
    if (random.next() > 0.18) continue;
    const along = random.next() < 0.5;
    const a = along
      ? fromFrame(parcel.u0, parcel.v0, grainAngle)
      : fromFrame(parcel.u0, parcel.v0, grainAngle);
    const b = along
      ? fromFrame(parcel.u1, parcel.v0, grainAngle)
      : fromFrame(parcel.u0, parcel.v1, grainAngle);
    paintRoad(canvas, [a, b], 0.9, 0, Surface.track);
  }
  for (const road of [northSouth, eastWest]) paintRoad(canvas, road, 1.7, 1.4, Surface.asphalt);
  paintRoad(canvas, secondary, 1.3, 1.1, Surface.asphalt);
  return [northSouth, eastWest, secondary];
}

/** Fields, forest, water and roads; settlements are added afterwards. */
export function layOutLandscape(width: number, height: number, random: Random, seed: number): Landscape {
  const canvas = createCanvas(width, height, Surface.crop);
  const grainAngle = random.range(-0.35, 0.35);
  const { parcels, parcelOf } = paintParcels(canvas, random, grainAngle);
  paintForest(canvas, seed + 1000, 0.22, parcelOf, parcels.length);
  const river = paintWater(canvas, random, seed + 2000);
  const mainRoads = paintRoads(canvas, random, grainAngle, parcels);
  return { canvas, grainAngle, parcels, mainRoads, river };
}
