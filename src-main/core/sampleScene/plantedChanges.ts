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
];

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
      tone: [156, 136, 110],
      angle: r.range(0, Math.PI),
      rowPeriod: 0,
      rowAmplitude: 0,
      centre: [0, 0],
    });
    this.fill(ring, inside, Surface.bareSoil, soil);
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

  /** A new estate on a field beside a main road: a street lined with blocks of terraced houses, yards still raw earth. */
  newHouses(roads: PixelPoint[][]): void {
    const r = this.random;
    let angle = 0;
    let streetStart: PixelPoint = [0, 0];
    const ring = this.find(
      400,
      () => {
        const road = r.pick(roads);
        const k = r.int(2, road.length - 3);
        angle = headingAt(road, k) + (r.next() < 0.5 ? Math.PI / 2 : -Math.PI / 2);
        const depth = r.range(90, 130);
        const wide = r.range(48, 56);
        streetStart = [road[k][0] + Math.cos(angle) * 4, road[k][1] + Math.sin(angle) * 4];
        return rotatedRectangle(
          streetStart[0] + (Math.cos(angle) * depth) / 2,
          streetStart[1] + (Math.sin(angle) * depth) / 2,
          depth,
          wide,
          angle,
        );
      },
      (ring) => this.share(ring, [Surface.crop, Surface.meadow]) > 0.9,
    );
    if (!ring) return;
    const inside = this.mask(ring);
    // Young lawns, with some plots still raw earth; two streets off the main road, houses on both sides of each
    // at the density of the villages (plots ~20 m wide), as a developer builds them.
    this.fill(ring, inside, Surface.garden, 0);
    const [rx0, ry0] = ring[0];
    const [rx2, ry2] = ring[2];
    for (let n = 0; n < 6; n++) {
      const t = r.next();
      const raw = blobOutline(
        rx0 + (rx2 - rx0) * t,
        ry0 + (ry2 - ry0) * t,
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
    const length = Math.hypot(ring[1][0] - ring[0][0], ring[1][1] - ring[0][1]);
    const nx = -Math.sin(angle);
    const ny = Math.cos(angle);
    for (const side of [-1, 1]) {
      const offset = side * r.range(11, 14);
      const start: PixelPoint = [streetStart[0] + nx * offset, streetStart[1] + ny * offset];
      const end: PixelPoint = [start[0] + Math.cos(angle) * length, start[1] + Math.sin(angle) * length];
      paintRoad(this.after, [start, end], 1.1, 0, Surface.asphalt, Surface.verge, inside);
      houseRow(
        this.after,
        r,
        start,
        angle,
        length,
        NEW_ROOF_TONES,
        inside,
        (s, i) => inside(i) && (s === Surface.garden || s === Surface.bareSoil),
        0.85,
      );
    }
    gardenTrees(this.after, r, ring, 10, inside);
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
    const site = this.findOpenSite([55, 75], [40, 55]);
    if (!site) return;
    const { ring, angle } = site;
    const inside = this.mask(ring);
    this.fill(ring, inside, Surface.construction, 0);
    const [cx, cy] = centroid(ring);
    const slab = rotatedRectangle(cx - 6, cy, 28, 20, angle);
    this.fill(slab, inside, Surface.paved, 0);
    const hall: Footprint = { cx: cx + 14, cy: cy + 4, length: 16, depth: 12, angle };
    paintBuilding(this.after, hall, [150, 152, 156], 2.5, 0.05, inside);
    this.record('construction-site', 'bare/construction', ring);
  }

  /** A big new warehouse with its yard on farmland. */
  newWarehouse(): void {
    const r = this.random;
    const site = this.findOpenSite([60, 80], [45, 60]);
    if (!site) return;
    const { ring, angle } = site;
    const inside = this.mask(ring);
    this.fill(ring, inside, Surface.yard, 0);
    const [cx, cy] = centroid(ring);
    const footprint: Footprint = { cx, cy, length: r.range(36, 48), depth: r.range(22, 30), angle };
    paintBuilding(
      this.after,
      footprint,
      jitterTone(r, r.pick(INDUSTRIAL_ROOF_TONES)),
      3.5,
      0.03,
      inside,
      Surface.hall,
    );
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
