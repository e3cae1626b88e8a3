// A run's probability while it is still running: the finished chunks (uint8, 255 = nodata) read as one raster
// with computed levels (every power of two, nearest neighbour), so the map shows results as they land. Chunks
// and their reduced levels are cached, so a tile over many chunks decodes each chunk once.
import { ByteLru } from '../../core/preview/byteLru';
import { PROBABILITY_BYTE_NODATA } from '../../core/preview/colourise';
import type { LevelSize } from '../../core/preview/levels';
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import type { StoredChunk } from '../runs/chunkStore';
import type { TileSource } from './tileJob';
import { mercatorBoxOf, type PreviewRaster } from './tilePlanner';

export interface RunProbabilityChunks {
  runId: number;
  grid: GridSpec;
  /** Chunks the ledger calls done (others are not read). */
  done: { idx: number; window: PixelWindow }[];
  readChunk(idx: number): Promise<StoredChunk | null>;
}

/** A chunk's pixels at one level: the level pixels whose centre sample falls inside the chunk. */
interface ChunkLevel {
  x: number;
  y: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decoded chunks and their reduced levels, shared by every run of a project. */
export class ChunkLevelCache {
  private readonly cache: ByteLru<ChunkLevel>;
  private readonly loading = new Map<string, Promise<ChunkLevel | null>>();
  constructor(maxBytes = 256 * 2 ** 20) {
    this.cache = new ByteLru<ChunkLevel>(maxBytes, (l) => l.data.byteLength + 64);
  }

  async get(
    runId: number,
    chunk: { idx: number; window: PixelWindow },
    factor: number,
    read: (idx: number) => Promise<StoredChunk | null>,
  ): Promise<ChunkLevel | null> {
    const key = `${runId}/${chunk.idx}/${factor}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = (async () => {
        const base =
          factor === 1
            ? await read(chunk.idx).then((c) => (c ? { ...c.window, data: c.data } : null))
            : await this.get(runId, chunk, 1, read);
        if (!base) return null;
        const level = factor === 1 ? base : reduce(base, factor);
        this.cache.set(key, level);
        return level;
      })().finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  forgetRun(runId: number): void {
    this.cache.deletePrefix(`${runId}/`);
  }
}

/** Level pixel X samples full-resolution column floor((X + 0.5) * factor). */
function reduce(base: ChunkLevel, factor: number): ChunkLevel {
  const x = Math.ceil(base.x / factor - 0.5);
  const y = Math.ceil(base.y / factor - 0.5);
  const width = Math.max(0, Math.ceil((base.x + base.width) / factor - 0.5) - x);
  const height = Math.max(0, Math.ceil((base.y + base.height) / factor - 0.5) - y);
  const data = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    const sr = Math.floor((y + r + 0.5) * factor) - base.y;
    for (let c = 0; c < width; c++) {
      const sc = Math.floor((x + c + 0.5) * factor) - base.x;
      data[r * width + c] = base.data[sr * base.width + sc];
    }
  }
  return { x, y, width, height, data };
}

export function chunkMosaicRaster(run: RunProbabilityChunks, cache: ChunkLevelCache): PreviewRaster {
  const { width, height } = run.grid;
  const levels: LevelSize[] = [];
  for (let f = 1; ; f *= 2) {
    levels.push({ width: width / f, height: height / f });
    if (Math.max(width, height) / f <= 256) break;
  }
  const doneKey = run.done.map((c) => c.idx).join(',');
  return {
    key: `run${run.runId}/chunks/${run.done.length}:${hashText(doneKey)}`,
    grid: run.grid,
    levels,
    style: { kind: 'probability' },
    mercatorBox: mercatorBoxOf(run.grid),
    async source(level: number, window: PixelWindow): Promise<TileSource> {
      const factor = 2 ** level;
      const data = new Uint8Array(window.width * window.height).fill(PROBABILITY_BYTE_NODATA);
      const valid = new Uint8Array(window.width * window.height);
      for (const chunk of run.done) {
        const w = chunk.window;
        // Rough overlap test in level pixels before decoding anything.
        if (
          (w.x + w.width) / factor < window.x - 1 ||
          w.x / factor > window.x + window.width + 1 ||
          (w.y + w.height) / factor < window.y - 1 ||
          w.y / factor > window.y + window.height + 1
        )
          continue;
        const part = await cache.get(run.runId, chunk, factor, (idx) => run.readChunk(idx));
        if (!part) continue;
        const x0 = Math.max(window.x, part.x);
        const y0 = Math.max(window.y, part.y);
        const x1 = Math.min(window.x + window.width, part.x + part.width);
        const y1 = Math.min(window.y + window.height, part.y + part.height);
        for (let r = y0; r < y1; r++) {
          for (let c = x0; c < x1; c++) {
            const v = part.data[(r - part.y) * part.width + (c - part.x)];
            const o = (r - window.y) * window.width + (c - window.x);
            data[o] = v;
            valid[o] = v === PROBABILITY_BYTE_NODATA ? 0 : 1;
          }
        }
      }
      return { kind: 'pixels', window, data, valid };
    },
  };
}

/** A short, stable digest of a text (FNV-1a) for cache keys. */
export function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
