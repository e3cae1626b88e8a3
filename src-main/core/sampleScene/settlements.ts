// Villages (street grids lined with houses and gardens), an industrial estate and farmsteads.
import { footprintFits, INDUSTRIAL_ROOF_TONES, paintBuilding, ROOF_TONES, type Footprint } from './buildings';
import { blobOutline, fillPolygon, rotatedRectangle, type PixelPoint } from './draw';
import { paintRoad } from './landscape';
import type { Random } from './random';
import { Surface, type SceneCanvas } from './surfaces';

/** Where houses may stand: not on water, roads or other buildings. */
const buildable = (surface: number): boolean =>
  surface !== Surface.water &&
  surface !== Surface.asphalt &&
  surface !== Surface.roof &&
  surface !== Surface.track &&
  surface !== Surface.paved &&
  surface !== Surface.hall &&
  surface !== Surface.yard;

/** Direction of a polyline near vertex k (radians). */
export function headingAt(line: readonly PixelPoint[], k: number): number {
  const a = line[Math.max(0, k - 1)];
  const b = line[Math.min(line.length - 1, k + 1)];
  return Math.atan2(b[1] - a[1], b[0] - a[0]);
}

/**
 * Houses along one street, on both sides: `street` runs from `start` along `angle` for `length` pixels. The
 * houses' ridges run along the street. mayPaint clips everything (used to keep planted changes in their polygon).
 */
export function houseRow(
  canvas: SceneCanvas,
  random: Random,
  start: PixelPoint,
  angle: number,
  length: number,
  roofTones: [number, number, number][],
  mayPaint: (index: number) => boolean = () => true,
  fits: (surface: number, index: number) => boolean = buildable,
  /** Scales house sizes and setbacks: 1 for village houses, more for blocks of terraced houses or flats. */
  size = 1,
): number {
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  let built = 0;
  for (const side of [-1, 1]) {
    let t = random.range(3, 8);
    while (t < length - 6) {
      const houseLength = random.range(5, 8.5) * size;
      const houseDepth = random.range(4, 6) * size;
      const setback = random.range(4.5, 7) * size + houseDepth / 2;
      const footprint: Footprint = {
        cx: start[0] + ux * (t + houseLength / 2) - uy * setback * side,
        cy: start[1] + uy * (t + houseLength / 2) + ux * setback * side,
        length: houseLength,
        depth: houseDepth,
        angle,
      };
      if (random.next() < 0.88 && footprintFits(canvas, footprint, fits)) {
        // The driveway and the path to the door: a paved strip from the street to the house front.
        const along = t + random.range(0.5, 2);
        const front = setback - houseDepth / 2;
        const from: PixelPoint = [
          start[0] + ux * along - uy * 1.6 * side,
          start[1] + uy * along + ux * 1.6 * side,
        ];
        const to: PixelPoint = [
          start[0] + ux * along - uy * front * side,
          start[1] + uy * along + ux * front * side,
        ];
        paintRoad(
          canvas,
          [from, to],
          0.8,
          0,
          Surface.paved,
          Surface.paved,
          (i) => mayPaint(i) && fits(canvas.surface[i], i),
        );
        paintBuilding(
          canvas,
          footprint,
          jitterTone(random, random.pick(roofTones)),
          random.range(1.6, 2.6),
          0.14,
          mayPaint,
        );
        built++;
      }
      t += houseLength + random.range(3, 7) * size;
    }
  }
  return built;
}

export function jitterTone(random: Random, tone: [number, number, number]): [number, number, number] {
  const k = random.range(0.9, 1.1);
  return [tone[0] * k, tone[1] * k, tone[2] * k];
}

/** Scattered garden trees inside a region (only on garden or meadow). */
export function gardenTrees(
  canvas: SceneCanvas,
  random: Random,
  ring: readonly PixelPoint[],
  count: number,
  mayPaint: (index: number) => boolean = () => true,
): void {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  for (let n = 0; n < count; n++) {
    const cx = random.range(x0, x1);
    const cy = random.range(y0, y1);
    const r = random.range(1.2, 2.4);
    fillPolygon(
      canvas.width,
      canvas.height,
      blobOutline(cx, cy, r, 0.1, [random.range(0, 6)], 12),
      (x, y) => {
        const i = y * canvas.width + x;
        if (mayPaint(i) && canvas.surface[i] === Surface.garden) canvas.surface[i] = Surface.trees;
      },
    );
  }
}

function village(
  canvas: SceneCanvas,
  random: Random,
  centre: PixelPoint,
  angle: number,
  radius: number,
): void {
  const { width, height } = canvas;
  const outline = blobOutline(centre[0], centre[1], radius, 0.22, [
    random.range(0, 6),
    random.range(0, 6),
    random.range(0, 6),
  ]);
  const inVillage = new Uint8Array(width * height);
  fillPolygon(width, height, outline, (x, y) => {
    const i = y * width + x;
    inVillage[i] = 1;
    const s = canvas.surface[i];
    if (s !== Surface.water && s !== Surface.asphalt) {
      canvas.surface[i] = Surface.garden;
      canvas.object[i] = 0;
    }
  });
  const inside = (i: number): boolean => inVillage[i] === 1;
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  const spacing = random.range(30, 36);
  const streets: { start: PixelPoint; length: number }[] = [];
  for (let k = -Math.ceil(radius / spacing); k <= Math.ceil(radius / spacing); k++) {
    const off = k * spacing;
    const start: PixelPoint = [
      centre[0] - ux * radius * 1.3 - uy * off,
      centre[1] - uy * radius * 1.3 + ux * off,
    ];
    const end: PixelPoint = [
      centre[0] + ux * radius * 1.3 - uy * off,
      centre[1] + uy * radius * 1.3 + ux * off,
    ];
    paintRoad(canvas, [start, end], 1.1, 0, Surface.asphalt, Surface.verge, inside);
    streets.push({ start, length: radius * 2.6 });
  }
  // Cross streets every 100-140 px.
  const crossSpacing = random.range(100, 140);
  for (let k = -Math.ceil(radius / crossSpacing); k <= Math.ceil(radius / crossSpacing); k++) {
    const off = k * crossSpacing;
    const a: PixelPoint = [
      centre[0] + ux * off + uy * radius * 1.3,
      centre[1] + uy * off - ux * radius * 1.3,
    ];
    const b: PixelPoint = [
      centre[0] + ux * off - uy * radius * 1.3,
      centre[1] + uy * off + ux * radius * 1.3,
    ];
    paintRoad(canvas, [a, b], 1.1, 0, Surface.asphalt, Surface.verge, inside);
  }
  for (const street of streets)
    houseRow(
      canvas,
      random,
      street.start,
      angle,
      street.length,
      ROOF_TONES,
      inside,
      (s, i) => inside(i) && buildable(s),
    );
  gardenTrees(canvas, random, outline, Math.round(radius * radius * 0.012), inside);
}

function industrialEstate(canvas: SceneCanvas, random: Random, centre: PixelPoint, angle: number): void {
  const { width, height } = canvas;
  const yard = rotatedRectangle(centre[0], centre[1], random.range(110, 150), random.range(80, 110), angle);
  fillPolygon(width, height, yard, (x, y) => {
    const i = y * width + x;
    if (canvas.surface[i] !== Surface.water && canvas.surface[i] !== Surface.asphalt) {
      canvas.surface[i] = Surface.yard;
      canvas.object[i] = 0;
    }
  });
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  for (let n = 0; n < 9; n++) {
    const a = random.range(-50, 50);
    const b = random.range(-35, 35);
    const footprint: Footprint = {
      cx: centre[0] + ux * a - uy * b,
      cy: centre[1] + uy * a + ux * b,
      length: random.range(18, 40),
      depth: random.range(12, 24),
      angle,
    };
    if (footprintFits(canvas, footprint, (s) => s === Surface.yard)) {
      const tone = jitterTone(random, random.pick(INDUSTRIAL_ROOF_TONES));
      paintBuilding(canvas, footprint, tone, random.range(2.5, 4), 0.03, () => true, Surface.hall);
    }
  }
}

function farmstead(canvas: SceneCanvas, random: Random, centre: PixelPoint, angle: number): void {
  const { width, height } = canvas;
  const yard = blobOutline(centre[0], centre[1], random.range(12, 18), 0.15, [random.range(0, 6)]);
  fillPolygon(width, height, yard, (x, y) => {
    const i = y * width + x;
    if (buildable(canvas.surface[i])) {
      canvas.surface[i] = Surface.garden;
      canvas.object[i] = 0;
    }
  });
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  for (let n = 0; n < 3; n++) {
    const footprint: Footprint = {
      cx: centre[0] + ux * random.range(-8, 8) - uy * random.range(-8, 8),
      cy: centre[1] + uy * random.range(-8, 8) + ux * random.range(-8, 8),
      length: random.range(7, 14),
      depth: random.range(5, 8),
      angle: angle + (random.next() < 0.5 ? 0 : Math.PI / 2),
    };
    if (footprintFits(canvas, footprint, (s) => s === Surface.garden)) {
      paintBuilding(canvas, footprint, jitterTone(random, random.pick(ROOF_TONES)), random.range(2, 3), 0.14);
    }
  }
  gardenTrees(canvas, random, yard, 6);
}

/** Places villages along the main roads, an industrial estate beside the first village and some farmsteads. */
export function addSettlements(
  canvas: SceneCanvas,
  random: Random,
  mainRoads: PixelPoint[][],
  grainAngle: number,
): PixelPoint[] {
  const centres: PixelPoint[] = [];
  const villages = 3;
  for (let v = 0; v < villages; v++) {
    const road = mainRoads[v % mainRoads.length];
    const k = Math.floor(road.length * random.range(0.25, 0.75));
    const heading = headingAt(road, k);
    const side = random.next() < 0.5 ? -1 : 1;
    const radius = random.range(110, 170);
    const offset = radius * 0.55 * side;
    const centre: PixelPoint = [
      road[k][0] - Math.sin(heading) * offset,
      road[k][1] + Math.cos(heading) * offset,
    ];
    village(canvas, random, centre, heading, radius);
    centres.push(centre);
    if (v === 0) {
      const out = radius + 75;
      industrialEstate(
        canvas,
        random,
        [
          road[k][0] + Math.sin(heading) * out * side * 0.2 + Math.cos(heading) * out,
          road[k][1] + Math.sin(heading) * out,
        ],
        heading,
      );
    }
  }
  for (let n = 0; n < 10; n++) {
    const centre: PixelPoint = [random.range(60, canvas.width - 60), random.range(60, canvas.height - 60)];
    const s = canvas.surface[Math.round(centre[1]) * canvas.width + Math.round(centre[0])];
    if (s === Surface.crop || s === Surface.meadow) farmstead(canvas, random, centre, grainAngle);
  }
  return centres;
}
