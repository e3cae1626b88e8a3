// Connected components (8-connected) of a scene's change mask, chunk by chunk, never holding the scene's mask
// or labels. Each chunk is labelled on its own (labelLocal); its components get global ids; a union-find joins
// ids across chunk borders using only the bottom row of the previous chunk row (one scene-wide Int32 row) and
// the right column of the chunk to the left. Per-region sums are kept per id and merged when ids are joined.
//
// Memory: O(scene width + chunk pixels + number of chunk-local components). Chunks must come in raster order
// (left to right, top to bottom) on a fixed grid, which chunkWindows() gives.
import { ChangeMapError } from '../errors';
import type { PixelWindow } from '../raster/types';
import { labelLocal } from './labelLocal';

/** The chunks of a width x height scene, in the raster order the labeller needs. */
export function chunkWindows(width: number, height: number, chunkSize: number): PixelWindow[] {
  if (!(chunkSize >= 1) || !Number.isInteger(chunkSize))
    throw new ChangeMapError(
      'REGIONS_BAD_CHUNK_SIZE',
      `Chunk size must be a positive whole number (got ${chunkSize}).`,
    );
  const out: PixelWindow[] = [];
  for (let y = 0; y < height; y += chunkSize)
    for (let x = 0; x < width; x += chunkSize)
      out.push({ x, y, width: Math.min(chunkSize, width - x), height: Math.min(chunkSize, height - y) });
  return out;
}

/** What is known of a region after labelling: pixel-based sums, in scene pixel coordinates. */
export interface RegionPixels {
  /** Root id in the labeller. */
  id: number;
  pixelCount: number;
  /** Sum of the pixels' ground areas (m^2). */
  areaM2: number;
  probMean: number;
  probMax: number;
  /** Mean pixel centre, in scene pixel coordinates (column + 0.5, row + 0.5). */
  centreX: number;
  centreY: number;
  /** Inclusive pixel bounds. */
  minCol: number;
  minRow: number;
  maxCol: number;
  maxRow: number;
  /** The region's first pixel in raster order (a point known to be inside it). */
  seedCol: number;
  seedRow: number;
}

class Growable {
  count: Float64Array;
  area: Float64Array;
  sumP: Float64Array;
  maxP: Float32Array;
  sumX: Float64Array;
  sumY: Float64Array;
  minX: Int32Array;
  minY: Int32Array;
  maxX: Int32Array;
  maxY: Int32Array;
  seedX: Int32Array;
  seedY: Int32Array;
  parent: Int32Array;
  constructor(n: number) {
    this.count = new Float64Array(n);
    this.area = new Float64Array(n);
    this.sumP = new Float64Array(n);
    this.maxP = new Float32Array(n);
    this.sumX = new Float64Array(n);
    this.sumY = new Float64Array(n);
    this.minX = new Int32Array(n);
    this.minY = new Int32Array(n);
    this.maxX = new Int32Array(n);
    this.maxY = new Int32Array(n);
    this.seedX = new Int32Array(n);
    this.seedY = new Int32Array(n);
    this.parent = new Int32Array(n);
  }
  grow(n: number): Growable {
    const g = new Growable(n);
    g.count.set(this.count);
    g.area.set(this.area);
    g.sumP.set(this.sumP);
    g.maxP.set(this.maxP);
    g.sumX.set(this.sumX);
    g.sumY.set(this.sumY);
    g.minX.set(this.minX);
    g.minY.set(this.minY);
    g.maxX.set(this.maxX);
    g.maxY.set(this.maxY);
    g.seedX.set(this.seedX);
    g.seedY.set(this.seedY);
    g.parent.set(this.parent);
    return g;
  }
}

export class ChunkedLabeller {
  private acc = new Growable(1024);
  /** Next global id; 0 means background. */
  private nextId = 1;
  /** First global id of each chunk, by chunk index: a second pass maps local label k to chunkBase + k - 1. */
  private readonly chunkBase: number[] = [];
  private rowAbove: Int32Array;
  private rowBelow: Int32Array;
  private leftCol = new Int32Array(0);
  private expectX = 0;
  private expectY = 0;
  private rowHeight = 0;
  private finished = false;
  private probScale = 1;

  constructor(
    readonly width: number,
    readonly height: number,
    /** Ground area (m^2) of one pixel in each scene row. */
    private readonly rowPixelArea: Float64Array,
  ) {
    if (rowPixelArea.length !== height)
      throw new ChangeMapError(
        'REGIONS_BAD_AREA_TABLE',
        'The pixel area table must have one entry per scene row.',
      );
    this.rowAbove = new Int32Array(width);
    this.rowBelow = new Int32Array(width);
  }

  find(i: number): number {
    const parent = this.acc.parent;
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (rb < ra) [ra, rb] = [rb, ra];
    const g = this.acc;
    g.parent[rb] = ra;
    g.count[ra] += g.count[rb];
    g.area[ra] += g.area[rb];
    g.sumP[ra] += g.sumP[rb];
    if (g.maxP[rb] > g.maxP[ra]) g.maxP[ra] = g.maxP[rb];
    g.sumX[ra] += g.sumX[rb];
    g.sumY[ra] += g.sumY[rb];
    if (g.minX[rb] < g.minX[ra]) g.minX[ra] = g.minX[rb];
    if (g.minY[rb] < g.minY[ra]) g.minY[ra] = g.minY[rb];
    if (g.maxX[rb] > g.maxX[ra]) g.maxX[ra] = g.maxX[rb];
    if (g.maxY[rb] > g.maxY[ra]) g.maxY[ra] = g.maxY[rb];
    if (g.seedY[rb] < g.seedY[ra] || (g.seedY[rb] === g.seedY[ra] && g.seedX[rb] < g.seedX[ra])) {
      g.seedX[ra] = g.seedX[rb];
      g.seedY[ra] = g.seedY[rb];
    }
  }

  /**
   * Adds one chunk. mask and prob cover exactly the chunk window (prob scaled by probScale to 0..1).
   * Returns the chunk's local labels (1..count) for callers that want them.
   */
  addChunk(
    window: PixelWindow,
    mask: Uint8Array,
    prob: Float32Array | Uint8Array,
    probScale = 1,
  ): { labels: Int32Array; count: number; base: number } {
    this.probScale = probScale;
    if (this.finished)
      throw new ChangeMapError('REGIONS_LABELLER_FINISHED', 'Regions were already collected.');
    const { x: x0, y: y0, width: cw, height: ch } = window;
    if (x0 === 0 && this.expectX === 0 && y0 === this.expectY + this.rowHeight && this.chunkBase.length > 0) {
      // A new chunk row starts: the bottom row just written becomes the row above.
      [this.rowAbove, this.rowBelow] = [this.rowBelow, this.rowAbove];
      this.expectY = y0;
      this.expectX = 0;
    }
    if (x0 !== this.expectX || y0 !== this.expectY || (x0 > 0 && ch !== this.rowHeight))
      throw new ChangeMapError(
        'REGIONS_CHUNK_ORDER',
        `Chunks must be added in raster order; expected one at (${this.expectX}, ${this.expectY}), got (${x0}, ${y0}).`,
      );
    if (mask.length !== cw * ch || prob.length !== cw * ch)
      throw new ChangeMapError(
        'REGIONS_BAD_CHUNK',
        'Mask and probability must cover the chunk window exactly.',
      );
    this.rowHeight = ch;

    const { labels, count, runs } = labelLocal(mask, cw, ch);
    const base = this.nextId;
    this.chunkBase.push(base);
    this.nextId += count;
    if (this.nextId > this.acc.parent.length)
      this.acc = this.acc.grow(Math.max(this.nextId, this.acc.parent.length * 2));
    const g = this.acc;
    for (let k = 0; k < count; k++) {
      const id = base + k;
      g.parent[id] = id;
      g.count[id] = 0;
      g.area[id] = 0;
      g.sumP[id] = 0;
      g.maxP[id] = -Infinity;
      g.sumX[id] = 0;
      g.sumY[id] = 0;
      g.minX[id] = 0x7fffffff;
      g.minY[id] = 0x7fffffff;
      g.maxX[id] = -1;
      g.maxY[id] = -1;
      g.seedX[id] = -1;
      g.seedY[id] = -1;
    }
    const { count: cnt, area, sumP, maxP, sumX, sumY, minX, minY, maxX, maxY, seedX, seedY } = g;
    // Sums run by run (runs come in raster order, so a component's first run holds its seed pixel).
    for (let i = 0; i < runs.count; i++) {
      const id = base + runs.label[i] - 1;
      const y = runs.row[i];
      const s = runs.start[i];
      const e = runs.end[i];
      const len = e - s + 1;
      const sy = y0 + y;
      if (cnt[id] === 0) {
        seedX[id] = x0 + s;
        seedY[id] = sy;
      }
      cnt[id] += len;
      area[id] += len * this.rowPixelArea[sy];
      sumX[id] += len * (x0 + 0.5) + ((s + e) * len) / 2;
      sumY[id] += len * (sy + 0.5);
      if (x0 + s < minX[id]) minX[id] = x0 + s;
      if (x0 + e > maxX[id]) maxX[id] = x0 + e;
      if (sy < minY[id]) minY[id] = sy;
      if (sy > maxY[id]) maxY[id] = sy;
      let sp = 0;
      let mp = maxP[id];
      const o = y * cw;
      for (let x = s; x <= e; x++) {
        const v = prob[o + x];
        sp += v;
        if (v > mp) mp = v;
      }
      sumP[id] += sp * probScale;
      maxP[id] = mp; // raw units until regions() scales it
    }

    // Join across the top border (row y0 - 1, including the diagonal corners) ...
    if (y0 > 0) {
      for (let x = 0; x < cw; x++) {
        const l = labels[x];
        if (l === 0) continue;
        const sx = x0 + x;
        for (let nx = sx - 1; nx <= sx + 1; nx++) {
          if (nx < 0 || nx >= this.width) continue;
          const other = this.rowAbove[nx];
          if (other !== 0) this.union(base + l - 1, other);
        }
      }
    }
    // ... and the left border (column x0 - 1, rows of this chunk row).
    if (x0 > 0) {
      for (let y = 0; y < ch; y++) {
        const l = labels[y * cw];
        if (l === 0) continue;
        for (let ny = y - 1; ny <= y + 1; ny++) {
          if (ny < 0 || ny >= ch) continue;
          const other = this.leftCol[ny];
          if (other !== 0) this.union(base + l - 1, other);
        }
      }
    }
    // Keep this chunk's bottom row and right column for its neighbours.
    const last = (ch - 1) * cw;
    for (let x = 0; x < cw; x++)
      this.rowBelow[x0 + x] = labels[last + x] === 0 ? 0 : base + labels[last + x] - 1;
    if (this.leftCol.length !== ch) this.leftCol = new Int32Array(ch);
    for (let y = 0; y < ch; y++) {
      const l = labels[y * cw + cw - 1];
      this.leftCol[y] = l === 0 ? 0 : base + l - 1;
    }
    // When the chunk row is complete the next chunk starts the next row (the swap happens on its arrival).
    this.expectX = x0 + cw >= this.width ? 0 : x0 + cw;
    return { labels, count, base };
  }

  /** Pixel bounds and area so far of a global id (meaningful for roots). */
  boundsOf(id: number): { minCol: number; minRow: number; maxCol: number; maxRow: number; areaM2: number } {
    const g = this.acc;
    return {
      minCol: g.minX[id],
      minRow: g.minY[id],
      maxCol: g.maxX[id],
      maxRow: g.maxY[id],
      areaM2: g.area[id],
    };
  }

  /** Global root id of local label k (1-based) of chunk number chunkIndex, after all chunks were added. */
  rootOf(chunkIndex: number, k: number): number {
    return this.find(this.chunkBase[chunkIndex] + k - 1);
  }

  /** The regions, one per root id, in no particular order. */
  regions(): RegionPixels[] {
    this.finished = true;
    const g = this.acc;
    const out: RegionPixels[] = [];
    for (let id = 1; id < this.nextId; id++) {
      if (g.parent[id] !== id) continue;
      out.push({
        id,
        pixelCount: g.count[id],
        areaM2: g.area[id],
        probMean: g.sumP[id] / g.count[id],
        probMax: g.maxP[id] * this.probScale,
        centreX: g.sumX[id] / g.count[id],
        centreY: g.sumY[id] / g.count[id],
        minCol: g.minX[id],
        minRow: g.minY[id],
        maxCol: g.maxX[id],
        maxRow: g.maxY[id],
        seedCol: g.seedX[id],
        seedRow: g.seedY[id],
      });
    }
    return out;
  }
}
