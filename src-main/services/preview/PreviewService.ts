// The map preview of a project: web-mercator PNG tiles of each date's imagery and of each run's change
// probability, rendered in worker threads and kept in a byte-bounded memory cache. Imagery without overviews gets a
// preview pyramid in the project's data folder, built once in the background; until it is ready, tiles that
// would need a large full-resolution read come back empty instead of holding the API up.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isChangeMapError } from '../../core/errors';
import { ByteLru } from '../../core/preview/byteLru';
import type { ByteStretch } from '../../core/preview/colourise';
import type { GridSpec, PixelWindow } from '../../core/raster/types';
import type { PreviewKey, PreviewProgress } from '../../ipc/contract';
import { fileFingerprint } from '../imagery/fileFingerprint';
import type { ImagerySet } from '../imagery/imagerySet';
import type { StoredChunk } from '../runs/chunkStore';
import { ChunkLevelCache, chunkMosaicRaster, hashText } from './chunkMosaic';
import { describeGeoTiff, GeoTiffFiles } from './geotiffLevels';
import { directRaster, geotiffRaster, imageryStretch, rgbBands } from './imageryRaster';
import { buildPreviewPyramid } from './previewPyramid';
import { planTile, type PreviewRaster } from './tilePlanner';
import { TileWorkerPool, type TileRenderer } from './tileWorkerPool';

export interface PreviewServiceOptions {
  /** The project's data folder; pyramids go to `<dataDir>/previews/`. */
  dataDir: string;
  onProgress?: (progress: PreviewProgress) => void;
  onWarning?: (message: string) => void;
  /** Default: a pool of tile worker threads. */
  renderer?: TileRenderer;
  /** Memory for rendered tiles. Default 64 MiB. */
  cacheBytes?: number;
  /** Largest full-resolution read (pixels) for one tile of imagery that has no levels yet. Default 1024². */
  maxDirectReadPixels?: number;
  /** Imagery without overviews and with more pixels than this gets a preview pyramid. Default 2048². */
  pyramidMinPixels?: number;
}

/** What a probability tile needs of a run (RunService's record and chunk reader fit). */
export interface RunForPreview {
  id: number;
  status: string;
  grid: GridSpec;
  probabilityPath: string | null;
  chunks: { idx: number; window: PixelWindow; state: string }[];
  readChunk(idx: number): Promise<StoredChunk | null>;
}

interface PreparedImagery {
  key: string;
  bands: number[];
  stretch: ByteStretch[];
  /** Overviews of the file itself, or the finished preview pyramid. */
  levels: PreviewRaster | null;
  direct: PreviewRaster;
  build: { controller: AbortController; done: Promise<void> } | null;
}

const IDENTITY: ByteStretch[] = [0, 1, 2].map(() => ({ scale: 1, offset: 0 }));

export class PreviewService {
  private readonly tiles: ByteLru<Uint8Array | null>;
  private readonly renderer: TileRenderer;
  private readonly files = new GeoTiffFiles();
  private readonly chunks = new ChunkLevelCache();
  private readonly imagery = new Map<PreviewKey, { set: ImagerySet; prepared: Promise<PreparedImagery> }>();
  private readonly finals = new Map<string, Promise<PreviewRaster>>();
  private readonly maxDirect: number;
  private readonly pyramidMin: number;
  private closed = false;

  constructor(private readonly options: PreviewServiceOptions) {
    this.tiles = new ByteLru(options.cacheBytes ?? 64 * 2 ** 20, (png) => (png?.byteLength ?? 0) + 96);
    this.renderer = options.renderer ?? new TileWorkerPool();
    this.maxDirect = options.maxDirectReadPixels ?? 1024 * 1024;
    this.pyramidMin = options.pyramidMinPixels ?? 2048 * 2048;
  }

  /** PNG of one XYZ tile of a date's imagery; null where it holds no data (or, briefly, while its pyramid builds). */
  async imageryTile(
    role: PreviewKey,
    set: ImagerySet,
    z: number,
    x: number,
    y: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array | null> {
    const prepared = await this.prepare(role, set);
    const raster = prepared.levels ?? prepared.direct;
    const pending = raster === prepared.levels ? null : () => prepared.build !== null;
    return this.tile(raster, z, x, y, signal, pending);
  }

  /** How a date's red, green and blue bands stretch to bytes on the map (the spot check shows the same colours). */
  async imageryStretch(role: PreviewKey, set: ImagerySet): Promise<ByteStretch[]> {
    return (await this.prepare(role, set)).stretch;
  }

  /** PNG of one XYZ tile of a run's change probability: from the finished raster, or from its finished chunks. */
  async probabilityTile(run: RunForPreview, z: number, x: number, y: number, signal?: AbortSignal) {
    let raster: PreviewRaster;
    if (run.status === 'done' && run.probabilityPath) {
      const file = run.probabilityPath;
      let final = this.finals.get(file);
      if (!final) {
        final = describeGeoTiff(this.files, file).then((levels) =>
          geotiffRaster(
            `run${run.id}/final`,
            levels,
            run.grid,
            [0],
            { nodata: 255, alphaBand: null },
            {
              kind: 'probability',
            },
          ),
        );
        final.catch(() => this.finals.delete(file));
        this.finals.set(file, final);
      }
      raster = await final;
    } else {
      const done = run.chunks.filter((c) => c.state === 'done');
      if (done.length === 0) return null;
      raster = chunkMosaicRaster(
        { runId: run.id, grid: run.grid, done, readChunk: (idx) => run.readChunk(idx) },
        this.chunks,
      );
    }
    return this.tile(raster, z, x, y, signal, null);
  }

  /**
   * The shared tile path. `pyramidPending` is given for imagery without enough levels: a tile that would need a
   * large read is skipped (not cached) while the pyramid is on its way, or if its build failed.
   */
  private async tile(
    raster: PreviewRaster,
    z: number,
    x: number,
    y: number,
    signal: AbortSignal | undefined,
    pyramidPending: (() => boolean) | null,
  ): Promise<Uint8Array | null> {
    const key = `${raster.key}/${z}/${x}/${y}`;
    const cached = this.tiles.get(key);
    if (cached !== undefined) return cached;
    const planned = planTile(raster, z, x, y);
    if (planned.kind === 'empty') {
      this.tiles.set(key, null);
      return null;
    }
    if (pyramidPending && planned.readPixels > this.maxDirect) {
      // Without (enough) levels, a zoomed-out tile would read a large part of the image: wait for the pyramid,
      // and never read more than a pyramid-sized image in one go (its build failed).
      if (pyramidPending?.() || planned.readPixels > Math.max(this.maxDirect, this.pyramidMin)) return null;
    }
    const source = await raster.source(planned.level, planned.window, signal);
    let png: Uint8Array | null;
    try {
      png = await this.renderer.render({ plan: planned.plan, source }, signal);
    } catch (error) {
      if (!isChangeMapError(error) || error.code !== 'PREVIEW_WORKER_CRASHED') throw error;
      // The job's buffers went to the dead worker; plan and read again once.
      const again = await raster.source(planned.level, planned.window, signal);
      png = await this.renderer.render({ plan: planned.plan, source: again }, signal);
    }
    this.tiles.set(key, png);
    return png;
  }

  private prepare(role: PreviewKey, set: ImagerySet): Promise<PreparedImagery> {
    const current = this.imagery.get(role);
    if (current?.set === set) return current.prepared;
    if (current) void current.prepared.then((p) => this.forget(p)).catch(() => undefined);
    const prepared = this.prepareSet(role, set);
    prepared.catch(() => this.imagery.delete(role));
    this.imagery.set(role, { set, prepared });
    return prepared;
  }

  private forget(p: PreparedImagery): void {
    p.build?.controller.abort();
    this.tiles.deletePrefix(`${p.key}:`);
  }

  private async prepareSet(role: PreviewKey, set: ImagerySet): Promise<PreparedImagery> {
    const m = set.metadata;
    const bands = rgbBands(m.bandRoles);
    const fingerprints = await Promise.all(m.uris.map(fileFingerprint));
    const key = `${role}-${hashText(JSON.stringify([m.uris, fingerprints, m.bandRoles]))}`;
    const stretch = await imageryStretch(set, bands);
    const style = { kind: 'imagery' as const, stretch };
    const alpha = m.bandRoles.indexOf('alpha');
    const prepared: PreparedImagery = {
      key,
      bands,
      stretch,
      levels: null,
      direct: directRaster(`${key}:direct`, set, bands, style),
      build: null,
    };
    // A single GeoTIFF with overviews is read level by level straight from the file.
    if (m.overviews.length > 0 && m.uris.length === 1 && !/\.vrt$/i.test(m.uris[0])) {
      const file = await describeGeoTiff(this.files, m.uris[0]).catch(() => null);
      if (file && file.levels[0].width === m.grid.width && file.levels[0].height === m.grid.height) {
        const own = geotiffRaster(
          `${key}:file`,
          file,
          m.grid,
          bands,
          { nodata: m.nodata, alphaBand: alpha >= 0 ? alpha : null },
          style,
        );
        const coarsest = file.levels[file.levels.length - 1];
        if (coarsest.width * coarsest.height <= this.pyramidMin) {
          prepared.levels = own;
          return prepared;
        }
        // Overviews that stop short of a zoomed-out view: use them meanwhile, build a full pyramid.
        prepared.direct = own;
      }
    }
    if (m.grid.width * m.grid.height <= this.pyramidMin) return prepared;
    const digest = createHash('sha256')
      .update(JSON.stringify([m.uris, fingerprints, bands, stretch]))
      .digest('hex')
      .slice(0, 16);
    const file = path.join(this.options.dataDir, 'previews', `${role}-${digest}.tif`);
    const usePyramid = async () => {
      const levels = await describeGeoTiff(this.files, file);
      prepared.levels = geotiffRaster(
        `${key}:pyramid`,
        levels,
        m.grid,
        [0, 1, 2],
        { nodata: null, alphaBand: 3 },
        { kind: 'imagery', stretch: IDENTITY },
      );
      prepared.build = null;
    };
    if (existsSync(file)) {
      try {
        await usePyramid();
        this.options.onProgress?.({ role, fraction: 1, done: true });
        return prepared;
      } catch {
        // An unreadable leftover: build it again below.
      }
    }
    const controller = new AbortController();
    let last = -1;
    const done = mkdir(path.dirname(file), { recursive: true })
      .then(() =>
        buildPreviewPyramid({
          source: set,
          bands,
          stretch,
          file,
          signal: controller.signal,
          onProgress: (fraction) => {
            // At most every 1 %: the UI needs a bar, not a flood.
            if (fraction - last < 0.01 && fraction < 1) return;
            last = fraction;
            this.options.onProgress?.({ role, fraction: Math.min(fraction, 0.999), done: false });
          },
        }),
      )
      .then(usePyramid)
      .then(() => {
        this.tiles.deletePrefix(`${key}:direct`);
        this.options.onProgress?.({ role, fraction: 1, done: true });
      })
      .catch((error: unknown) => {
        prepared.build = null;
        if (controller.signal.aborted || this.closed) return;
        this.options.onWarning?.(
          `The map preview of the ${role} imagery could not be built: ${(error as Error).message}`,
        );
        this.options.onProgress?.({ role, fraction: 1, done: true });
      });
    prepared.build = { controller, done };
    return prepared;
  }

  /** Resolves when the date's preview pyramid (if one is being built) is finished. */
  async whenPyramidReady(role: PreviewKey): Promise<void> {
    const prepared = await this.imagery.get(role)?.prepared;
    await prepared?.build?.done;
  }

  async dispose(): Promise<void> {
    this.closed = true;
    const all = [...this.imagery.values()];
    this.imagery.clear();
    for (const { prepared } of all) {
      const p = await prepared.catch(() => null);
      if (p) {
        p.build?.controller.abort();
        await p.build?.done;
      }
    }
    await this.renderer.close();
    await this.files.close();
  }
}
