// Real land-cover changes planted into the "after" date, each kept inside a recorded polygon (the truth).
import { INDUSTRIAL_ROOF_TONES, paintBuilding, type Footprint } from './buildings';
import { blobOutline, fillPolygon, rotatedRectangle, type PixelPoint } from './draw';
import { grow, paintRoad, wanderingLine } from './landscape';
import type { Random } from './random';
import { gardenTrees, headingAt, houseRow, jitterTone } from './settlements';
import { addObject, landCoverOfSurface, Surface, type LandCover, type SceneCanvas } from './surfaces';

export type PlantedChangeKind =
  'forest-cleared' | 'new-houses' | 'new-road' | 'new-pond' | 'construction-site' | 'new-warehouse';

/** One planted change, in pixel coordinates of the scene grid. */
export interface PlantedChangePx {
  id: number;
  kind: PlantedChangeKind;
  from: LandCover;
  to: LandCover;
  /** Outline (closed ring, first vertex not repeated) in pixel coordinates. */
  ringPx: PixelPoint[];
}

const NEW_ROOF_TONES: [number, number, number][] = [
  [190, 96, 70],
  [178, 88, 66],
  [150, 150, 156],
  [96, 98, 106],
  [70, 72, 80],
  [206, 204, 198],
  [150, 92, 72],
];

const CAR_TONES: [number, number, number][] = [
  [220, 220, 222],
  [30, 32, 36],
  [120, 122, 128],
  [170, 40, 36],
  [40, 60, 120],
  [180, 180, 184],
];

/** A row of young trees just inside a site's outline. */
function gardenTreesOnEdge(
  canvas: SceneCanvas,
  random: Random,
  ring: readonly PixelPoint[],
  inside: (i: number) => boolean,
): void {
  for (let k = 0; k < ring.length; k++) {
    const [ax, ay] = ring[k];
    const [bx, by] = ring[(k + 1) % ring.length];
    const steps = Math.floor(Math.hypot(bx - ax, by - ay) / 4);
    for (let t = 1; t < steps; t++) {
      const f = t / steps;
      const tree = blobOutline(ax + (bx - ax) * f, ay + (by - ay) * f, random.range(1, 1.8), 0.1, [0], 10);
      fillPolygon(canvas.width, canvas.height, tree, (x, y) => {
        const i = y * canvas.width + x;
        if (inside(i)) canvas.surface[i] = Surface.trees;
      });
    }
  }
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const boxOf = (ring: readonly PixelPoint[], margin: number): Box => ({
  x0: Math.min(...ring.map((p) => p[0])) - margin,
  y0: Math.min(...ring.map((p) => p[1])) - margin,
  x1: Math.max(...ring.map((p) => p[0])) + margin,
  y1: Math.max(...ring.map((p) => p[1])) + margin,
});
const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

class Planter {
  readonly changes: PlantedChangePx[] = [];
  private readonly taken: Box[] = [];
  constructor(
    readonly before: SceneCanvas,
    readonly after: SceneCanvas,
    readonly random: Random,
  ) {}

  /** Share of the ring's pixels whose before-surface is one of `surfaces`. */
  share(ring: readonly PixelPoint[], surfaces: readonly number[]): number {
    let inside = 0;
    let hits = 0;
    fillPolygon(this.before.width, this.before.height, ring, (x, y) => {
      inside++;
      if (surfaces.includes(this.before.surface[y * this.before.width + x])) hits++;
    });
    return inside === 0 ? 0 : hits / inside;
  }

  free(ring: readonly PixelPoint[]): boolean {
    const box = boxOf(ring, 25);
    const { width, height } = this.before;
    if (box.x0 < 0 || box.y0 < 0 || box.x1 > width || box.y1 > height) return false;
    return !this.taken.some((t) => overlaps(t, box));
  }

  /** A pixel mask of the ring, and a clip function for drawing inside it. */
  mask(ring: readonly PixelPoint[]): (index: number) => boolean {
    const { width, height } = this.after;
    const inside = new Set<number>();
    fillPolygon(width, height, ring, (x, y) => inside.add(y * width + x));
    return (i) => inside.has(i);
  }

  /** Records a change; `from` is the land cover that covered most of the ring before. */
  record(kind: PlantedChangeKind, to: LandCover, ring: PixelPoint[]): void {
    const counts = new Map<LandCover, number>();
    fillPolygon(this.before.width, this.before.height, ring, (x, y) => {
      const cover = landCoverOfSurface(this.before.surface[y * this.before.width + x] as Surface);
      counts.set(cover, (counts.get(cover) ?? 0) + 1);
    });
    const from = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    this.taken.push(boxOf(ring, 0));
    this.changes.push({ id: this.changes.length + 1, kind, from, to, ringPx: ring });
  }

  /** Tries `make` at random places until `accept` says the place suits it. */
  find(
    tries: number,
    make: () => PixelPoint[] | null,
    accept: (ring: PixelPoint[]) => boolean,
  ): PixelPoint[] | null {
    for (let t = 0; t < tries; t++) {
      const ring = make();
      if (ring && this.free(ring) && accept(ring)) return ring;
    }
    return null;
  }

  randomPoint(margin: number): PixelPoint {
    return [
      this.random.range(margin, this.before.width - margin),
      this.random.range(margin, this.before.height - margin),
    ];
  }

  /** A clear-cut: irregular quadrilateral in forest turned to bare soil with skid trails. */
  forestCleared(): void {
    const r = this.random;
    const ring = this.find(
      400,
      () => {
        const [cx, cy] = this.randomPoint(80);
        const rect = rotatedRectangle(cx, cy, r.range(55, 95), r.range(40, 70), r.range(0, Math.PI));
        return rect.map(([x, y]) => [x + r.range(-6, 6), y + r.range(-6, 6)] as PixelPoint);
      },
      (ring) => this.share(ring, [Surface.forest]) > 0.97,
    );
    if (!ring) return;
    const inside = this.mask(ring);
    // Freshly felled ground is pale, dry and messy (no field rows): bare soil with slash, skid trails, patches of
    // grass and a few seed trees left standing.
    const soil = addObject(this.after, {
      tone: [158, 140, 114],
      angle: r.range(0, Math.PI),
      rowPeriod: 0,
      rowAmplitude: 0,
      centre: [0, 0],
    });
    this.fill(ring, inside, Surface.slash, soil);
    const [ax, ay] = ring[0];
    const [bx, by] = ring[2];
    const along = (t: number, spread: number): PixelPoint => [
      ax + (bx - ax) * t + r.range(-spread, spread),
      ay + (by - ay) * t + r.range(-spread, spread),
    ];
    for (let n = 0; n < 7; n++) {
      const [cx, cy] = along(r.next(), 18);
      const patch = blobOutline(cx, cy, r.range(3, 7), 0.35, [r.range(0, 6), r.range(0, 6)], 14);
      fillPolygon(this.after.width, this.after.height, patch, (x, y) => {
        const i = y * this.after.width + x;
        if (inside(i)) this.after.surface[i] = Surface.meadow;
      });
    }
    // Skid trails fanning out from the forest road side: lighter, compacted tracks.
    for (let n = 0; n < 3; n++) {
      const from = along(r.range(0, 0.2), 6);
      const to = along(r.range(0.7, 1), 25);
      paintRoad(this.after, [from, to], 0.8, 0, Surface.track, Surface.track, inside);
    }
    for (let n = 0; n < 14; n++) {
      const tree = blobOutline(...along(r.next(), 20), r.range(1.2, 2.2), 0.1, [0], 10);
      fillPolygon(this.after.width, this.after.height, tree, (x, y) => {
        const i = y * this.after.width + x;
        if (inside(i)) this.after.surface[i] = Surface.trees;
      });
    }
    this.record('forest-cleared', 'bare/construction', ring);
  }

  /**
   * A new estate on fields beside a main road, at the size of a real suburb extension (15-20 ha): a collector street
   * off the main road, side streets every ~95 m lined on both sides with detached houses (roofs of several colours,
   * driveways), young lawns with some plots still raw earth, and young trees.
   */
  newHouses(roads: PixelPoint[][]): void {
    const r = this.random;
    let angle = 0;
    let streetStart: PixelPoint = [0, 0];
    let depth = 0;
    let wide = 0;
    const ring = this.find(
      600,
      () => {
        const road = r.pick(roads);
        const k = r.int(2, road.length - 3);
        angle = headingAt(road, k) + (r.next() < 0.5 ? Math.PI / 2 : -Math.PI / 2);
        depth = r.range(100, 120);
        wide = r.range(80, 95);
        streetStart = [road[k][0] + Math.cos(angle) * 4, road[k][1] + Math.sin(angle) * 4];
        return rotatedRectangle(
          streetStart[0] + (Math.cos(angle) * depth) / 2,
          streetStart[1] + (Math.sin(angle) * depth) / 2,
          depth,
          wide,
          angle,
        );
      },
      (ring) => this.share(ring, [Surface.crop, Surface.meadow]) > 0.85,
    );
    if (!ring) return;
    const inside = this.mask(ring);
    this.fill(ring, inside, Surface.garden, 0);
    const [rx0, ry0] = ring[0];
    const [rx2, ry2] = ring[2];
    for (let n = 0; n < 14; n++) {
      const t = r.next();
      const raw = blobOutline(
        rx0 + (rx2 - rx0) * t + r.range(-20, 20),
        ry0 + (ry2 - ry0) * t + r.range(-20, 20),
        r.range(5, 10),
        0.3,
        [r.range(0, 6)],
        12,
      );
      fillPolygon(this.after.width, this.after.height, raw, (x, y) => {
        const i = y * this.after.width + x;
        if (inside(i)) this.after.surface[i] = Surface.bareSoil;
      });
    }
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    const nx = -uy;
    const ny = ux;
    // The collector street runs across the estate near the main road; side streets leave it into the estate.
    const collectorAt = r.range(8, 12);
    const collector: PixelPoint[] = [
      [streetStart[0] + ux * collectorAt - nx * wide, streetStart[1] + uy * collectorAt - ny * wide],
      [streetStart[0] + ux * collectorAt + nx * wide, streetStart[1] + uy * collectorAt + ny * wide],
    ];
    paintRoad(
      this.after,
      [streetStart, [streetStart[0] + ux * collectorAt, streetStart[1] + uy * collectorAt]],
      1.4,
      0.8,
      Surface.asphalt,
      Surface.paved,
      inside,
    );
    paintRoad(this.after, collector, 1.4, 0.8, Surface.asphalt, Surface.paved, inside);
    const spacing = r.range(24, 27);
    const streets = Math.max(2, Math.floor(wide / spacing));
    for (let k = 0; k < streets; k++) {
      const offset = (k - (streets - 1) / 2) * spacing;
      const start: PixelPoint = [
        streetStart[0] + ux * collectorAt + nx * offset,
        streetStart[1] + uy * collectorAt + ny * offset,
      ];
      const end: PixelPoint = [start[0] + ux * depth, start[1] + uy * depth];
      paintRoad(this.after, [start, end], 1.2, 0.7, Surface.asphalt, Surface.paved, inside);
      houseRow(
        this.after,
        r,
        [start[0] + ux * 4, start[1] + uy * 4],
        angle,
        depth - 8,
        NEW_ROOF_TONES,
        inside,
        (s, i) => inside(i) && (s === Surface.garden || s === Surface.bareSoil),
        1.1,
      );
    }
    gardenTrees(this.after, r, ring, 35, inside);
    this.record('new-houses', 'residential', ring);
  }

  /** A new asphalt road branching off a main road across the fields, with raw soil verges. */
  newRoad(roads: PixelPoint[][]): void {
    const r = this.random;
    let line: PixelPoint[] = [];
    const ring = this.find(
      200,
      () => {
        const road = r.pick(roads);
        const k = r.int(3, road.length - 4);
        const heading =
          headingAt(road, k) + (r.next() < 0.5 ? Math.PI / 2 : -Math.PI / 2) + r.range(-0.3, 0.3);
        line = wanderingLine(r, road[k], heading, 12, r.int(22, 34), 0.03);
        return outlineOfLine(line, 4);
      },
      // Across open country, not alongside another road (its first stretch leaves the main road).
      (ring) =>
        this.share(outlineOfLine(line.slice(3), 16), [Surface.asphalt]) < 0.02 &&
        this.share(ring, [
          Surface.crop,
          Surface.meadow,
          Surface.track,
          Surface.trees,
          Surface.verge,
          Surface.asphalt,
        ]) > 0.95 &&
        this.share(ring, [Surface.asphalt]) < 0.1,
    );
    if (!ring) return;
    const inside = this.mask(ring);
    // A new road is a corridor of fresh earthworks around the carriageway: gravel shoulders and compacted, pale
    // embankments that have not grassed over yet.
    paintRoad(this.after, line, 1.6, 2.4, Surface.asphalt, Surface.construction, inside);
    this.record('new-road', 'transport', ring);
  }

  /** A field dug out into a pond, with a fresh soil bank. */
  newPond(): void {
    const r = this.random;
    let lake: PixelPoint[] = [];
    const ring = this.find(
      400,
      () => {
        const [cx, cy] = this.randomPoint(60);
        lake = blobOutline(cx, cy, r.range(16, 28), 0.2, [r.range(0, 6), r.range(0, 6)]);
        return grow(lake, 3);
      },
      (ring) => this.share(ring, [Surface.crop]) > 0.97,
    );
    if (!ring) return;
    const inside = this.mask(ring);
    this.fill(ring, inside, Surface.bareSoil, 0);
    this.fill(lake, inside, Surface.water, 0);
    this.record('new-pond', 'water', ring);
  }

  /** A rotated rectangle of the given size ranges lying almost wholly on fields or meadows, or null. */
  private findOpenSite(
    length: [number, number],
    depth: [number, number],
  ): { ring: [number, number][]; angle: number } | null {
    const r = this.random;
    let angle = 0;
    const ring = this.find(
      400,
      () => {
        const [cx, cy] = this.randomPoint(60);
        angle = r.range(0, Math.PI);
        return rotatedRectangle(cx, cy, r.range(length[0], length[1]), r.range(depth[0], depth[1]), angle);
      },
      (ring) => this.share(ring, [Surface.crop, Surface.meadow]) > 0.95,
    );
    return ring ? { ring, angle } : null;
  }

  /** A fenced building site on a meadow or field: levelled ground, a slab and a half-built hall. */
  constructionSite(): void {
    const r = this.random;
    const site = this.findOpenSite([55, 75], [40, 55]);
    if (!site) return;
    const { ring, angle } = site;
    const inside = this.mask(ring);
    // Topsoil stripped: brown earth rutted by machines, heaps of spoil, a gravel haul road, a slab and a
    // half-built hall, site containers.
    const earth = addObject(this.after, {
      tone: jitterTone(r, [150, 122, 92]),
      angle,
      rowPeriod: 0,
      rowAmplitude: 0,
      centre: [0, 0],
    });
    this.fill(ring, inside, Surface.bareSoil, earth);
    const [cx, cy] = centroid(ring);
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    for (let n = 0; n < 9; n++) {
      const at: PixelPoint = [cx + r.range(-25, 25), cy + r.range(-18, 18)];
      const heap = blobOutline(at[0], at[1], r.range(2.5, 6), 0.35, [r.range(0, 6), r.range(0, 6)], 14);
      this.fill(heap, inside, r.next() < 0.5 ? Surface.construction : Surface.bareSoil, 0);
    }
    for (let n = 0; n < 6; n++) {
      const from: PixelPoint = [cx + r.range(-30, 30), cy + r.range(-22, 22)];
      const to: PixelPoint = [cx + r.range(-30, 30), cy + r.range(-22, 22)];
      paintRoad(this.after, [from, to], 0.7, 0, Surface.track, Surface.track, inside);
    }
    paintRoad(this.after, [ring[0], [cx, cy]], 1.5, 0, Surface.construction, Surface.construction, inside);
    const slab = rotatedRectangle(cx - 6, cy, 28, 20, angle);
    this.fill(slab, inside, Surface.paved, 0);
    const hall: Footprint = { cx: cx + 14, cy: cy + 4, length: 16, depth: 12, angle };
    paintBuilding(this.after, hall, [150, 152, 156], 2.5, 0.05, inside);
    for (let n = 0; n < 4; n++) {
      const container: Footprint = {
        cx: cx - 22 + ux * n * 3,
        cy: cy - 14 + uy * n * 3,
        length: 2.2,
        depth: 1,
        angle,
      };
      paintBuilding(this.after, container, jitterTone(r, [200, 200, 196]), 1, 0, inside);
    }
    this.record('construction-site', 'bare/construction', ring);
  }

  /**
   * A new distribution warehouse on farmland: a big hall with truck docks and trailers along one side, a smaller
   * office block, a car park in rows, all on a paved yard edged with young trees.
   */
  newWarehouse(): void {
    const r = this.random;
    const site = this.findOpenSite([60, 80], [45, 60]);
    if (!site) return;
    const { ring, angle } = site;
    const inside = this.mask(ring);
    this.fill(ring, inside, Surface.yard, 0);
    gardenTreesOnEdge(this.after, r, ring, inside);
    const [cx, cy] = centroid(ring);
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    const length = r.range(36, 44);
    const depth = r.range(20, 26);
    const footprint: Footprint = { cx: cx - ux * 4, cy: cy - uy * 4, length, depth, angle };
    paintBuilding(
      this.after,
      footprint,
      jitterTone(r, r.pick(INDUSTRIAL_ROOF_TONES)),
      3.5,
      0.03,
      inside,
      Surface.hall,
    );
    // Trailers at the docks along the hall's long side (13.6 m x 2.5 m: about 4.5 x 1 px).
    const nx = -uy;
    const ny = ux;
    for (let k = 0; k < length / 2.2 - 1; k++) {
      if (r.next() < 0.3) continue;
      const along = -length / 2 + 1.5 + k * 2.2;
      const trailer: Footprint = {
        cx: footprint.cx + ux * along + nx * (depth / 2 + 3),
        cy: footprint.cy + uy * along + ny * (depth / 2 + 3),
        length: 1,
        depth: 4.5,
        angle,
      };
      paintBuilding(this.after, trailer, jitterTone(r, [214, 214, 210]), 1, 0, inside, Surface.hall);
    }
    const office: Footprint = {
      cx: footprint.cx + ux * (length / 2 + 9),
      cy: footprint.cy + uy * (length / 2 + 9),
      length: 8,
      depth: 12,
      angle,
    };
    paintBuilding(this.after, office, jitterTone(r, [120, 122, 128]), 2.5, 0, inside, Surface.hall);
    // Car park: rows of cars (about 1.5 x 0.7 px) in many colours.
    for (let row = 0; row < 4; row++) {
      for (let k = 0; k < 14; k++) {
        if (r.next() < 0.35) continue;
        const car: Footprint = {
          cx: footprint.cx + ux * (length / 2 + 4 + row * 2.6) - nx * (depth / 2 - 2 - k * 1.1),
          cy: footprint.cy + uy * (length / 2 + 4 + row * 2.6) - ny * (depth / 2 - 2 - k * 1.1),
          length: 1.6,
          depth: 0.8,
          angle,
        };
        paintBuilding(this.after, car, jitterTone(r, r.pick(CAR_TONES)), 0.3, 0, inside, Surface.yard);
      }
    }
    this.record('new-warehouse', 'industrial', ring);
  }

  private fill(
    ring: readonly PixelPoint[],
    inside: (i: number) => boolean,
    surface: Surface,
    object: number,
  ): void {
    const { width, height } = this.after;
    fillPolygon(width, height, ring, (x, y) => {
      const i = y * width + x;
      if (!inside(i)) return;
      this.after.surface[i] = surface;
      this.after.object[i] = object;
      this.after.shadow[i] = 0;
    });
  }
}

function centroid(ring: readonly PixelPoint[]): PixelPoint {
  return [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
}

/** A closed outline `halfWidth` either side of a gently curving line. */
export function outlineOfLine(line: readonly PixelPoint[], halfWidth: number): PixelPoint[] {
  const left: PixelPoint[] = [];
  const right: PixelPoint[] = [];
  line.forEach((p, k) => {
    const h = headingAt(line, k);
    const nx = -Math.sin(h) * halfWidth;
    const ny = Math.cos(h) * halfWidth;
    left.push([p[0] + nx, p[1] + ny]);
    right.push([p[0] - nx, p[1] - ny]);
  });
  return [...left, ...right.reverse()];
}

/**
 * Plants the changes into `after` (a copy of `before`) and returns them. Kinds that find no suitable place are
 * skipped, so the list says what is really there.
 */
export function plantChanges(
  before: SceneCanvas,
  after: SceneCanvas,
  random: Random,
  mainRoads: PixelPoint[][],
): PlantedChangePx[] {
  const planter = new Planter(before, after, random);
  planter.forestCleared();
  planter.forestCleared();
  planter.newHouses(mainRoads);
  planter.newHouses(mainRoads);
  planter.newRoad(mainRoads);
  planter.newPond();
  planter.constructionSite();
  planter.newWarehouse();
  return planter.changes;
}
