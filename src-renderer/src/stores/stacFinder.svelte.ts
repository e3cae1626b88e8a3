// "Find imagery": a search of a STAC API catalogue for an area and two date ranges, the scenes it finds per date
// (listed, and drawn on the map), the ones the user picks, and making them the project's imagery.
import {
  DEFAULT_STACK_BANDS,
  type StacCatalogue,
  type StacScene,
  type StacSearchResult,
} from '../../../src-main/ipc/stacSchemas';
import type { PlanetKeyStatus } from '../../../src-main/ipc/planetSchemas';
import { ApiCallError, onEvent, request } from '../lib/api';
import { signal } from '../lib/signals';
import { imagery } from './imagery.svelte';

export type SearchDate = 'before' | 'after';
export const SEARCH_DATES: readonly SearchDate[] = ['before', 'after'];
type Bbox = [number, number, number, number];

export class StacFinder {
  catalogues = $state.raw<StacCatalogue[]>([]);
  apiUrl = $state('');
  collection = $state('');
  /** West, south, east, north (WGS 84); null until the imagery or the map gives one. */
  bbox = $state<Bbox | null>(null);
  ranges = $state<Record<SearchDate, { from: string; to: string }>>({
    before: { from: '', to: '' },
    after: { from: '', to: '' },
  });
  maxCloud = $state<number | null>(20);
  results = $state.raw<Record<SearchDate, StacSearchResult | null>>({ before: null, after: null });
  picked = $state<Record<SearchDate, string[]>>({ before: [], after: [] });
  thumbnails = $state<Record<string, string>>({});
  /** The scene under the pointer in the list (outlined on the map). */
  highlighted = $state<string | null>(null);
  /** The map's visible extent (WGS 84), kept by the map, for "Use the map's view". */
  mapBbox = $state<Bbox | null>(null);
  /** Bumped when a search returns: the map fits the found scenes' footprints. */
  fitRequest = $state(0);
  searching = $state(false);
  using = $state(false);
  /** Download the picked images into the project for offline work, instead of reading them by reference. */
  download = $state(false);
  /** The download in progress, as the services announce it; null when none. */
  downloading = $state<{
    index: number;
    count: number;
    bytes: number;
    totalBytes: number | null;
    /** Planet scenes: where Planet's preparation of the image stands. */
    activation?: 'inactive' | 'activating' | 'active';
  } | null>(null);
  /** Whether a Planet API key is set and where it is kept (the key itself never comes back). */
  planetKey = $state<PlanetKeyStatus | null>(null);
  savingKey = $state(false);
  /**
   * Bands to stack from the picked scenes' per-band assets, by common name (red, green, blue, then an optional
   * fourth); null: each scene's image (its visual asset), or red, green, blue where it has none.
   */
  bands = $state<string[] | null>(null);
  /** The band picker is open (it also opens by itself when a picked scene has no image of its own). */
  bandsOpen = $state(false);
  private subscribed = false;
  error = $state<{ code: string; message: string } | null>(null);

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    onEvent('stac:downloadProgress', ({ index, count, bytes, totalBytes, activation }) => {
      this.downloading = { index, count, bytes, totalBytes, activation };
    });
  }

  async load(): Promise<void> {
    this.listen();
    this.catalogues = await request('stac:catalogues', {});
    if (!this.apiUrl && this.catalogues.length) this.choose(this.catalogues[0].url);
    this.planetKey = await request('planet:status', {});
  }

  /** Whether the chosen catalogue is Planet's Data API (its collections are item types; it needs the key). */
  get isPlanet(): boolean {
    return this.catalogues.some((c) => c.kind === 'planet' && c.url === this.apiUrl);
  }

  async savePlanetKey(key: string): Promise<boolean> {
    this.savingKey = true;
    this.error = null;
    try {
      this.planetKey = await request('planet:setKey', { key });
      signal('planet:keySaved');
      return true;
    } catch (error) {
      this.error = asError(error);
      signal('stac:failed');
      return false;
    } finally {
      this.savingKey = false;
    }
  }

  async forgetPlanetKey(): Promise<void> {
    this.planetKey = await request('planet:clearKey', {});
  }

  choose(url: string): void {
    this.apiUrl = url;
    const known = this.catalogues.find((c) => c.url === url);
    if (known?.collections.length) this.collection = known.collections[0];
  }

  /** Every scene of both lists, for the map. */
  get scenes(): { date: SearchDate; scene: StacScene }[] {
    return SEARCH_DATES.flatMap((date) =>
      (this.results[date]?.scenes ?? []).map((scene) => ({ date, scene })),
    );
  }

  async search(): Promise<void> {
    if (!this.bbox) {
      this.error = {
        code: 'NO_AREA',
        message: 'Give the area to search: use the imagery, the map view, or type it.',
      };
      return;
    }
    this.searching = true;
    this.error = null;
    this.results = { before: null, after: null };
    this.picked = { before: [], after: [] };
    this.bands = null;
    this.bandsOpen = false;
    try {
      const results: Record<SearchDate, StacSearchResult | null> = { before: null, after: null };
      for (const date of SEARCH_DATES) {
        const { from, to } = this.ranges[date];
        if (!from || !to) continue;
        results[date] = await request('stac:search', {
          apiUrl: this.apiUrl,
          collections: this.collection.trim() ? [this.collection.trim()] : [],
          bbox: this.bbox,
          from,
          to,
          maxCloudCover: this.maxCloud ?? undefined,
        });
        this.results = { ...results };
      }
      this.fitRequest += 1;
      signal('stac:searched');
      void this.loadThumbnails();
    } catch (error) {
      this.error = asError(error);
      signal('stac:failed');
    } finally {
      this.searching = false;
    }
  }

  async cancel(): Promise<void> {
    await request('stac:cancel', {});
  }

  /** The picked scenes of both dates. */
  get pickedScenes(): StacScene[] {
    return SEARCH_DATES.flatMap((date) =>
      (this.results[date]?.scenes ?? []).filter((s) => this.picked[date].includes(s.id)),
    );
  }

  /** Common names every picked scene has as a band of its own (what a stack of all of them can use). */
  get stackableBands(): string[] {
    const scenes = this.pickedScenes;
    if (scenes.length === 0) return [];
    const [first, ...rest] = scenes.map((s) => (s.bands ?? []).map((b) => b.commonName));
    return first.filter((name) => rest.every((names) => names.includes(name)));
  }

  /** Some picked scene has no image of its own: its bands are stacked, and the picker shows which. */
  get needsBands(): boolean {
    return this.pickedScenes.some((s) => !s.asset);
  }

  /** Sets the band at `index` (0-2: red, green, blue slots; 3: the optional extra band, '' for none). */
  setBand(index: number, name: string): void {
    const next = [...(this.bands ?? DEFAULT_STACK_BANDS)];
    if (index === 3 && !name) next.splice(3);
    else next[index] = name;
    this.bands = next;
  }

  toggle(date: SearchDate, id: string): void {
    const list = this.picked[date];
    this.picked[date] = list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
  }

  /** The picked scenes of each date become its imagery (a mosaic where several were picked). */
  async use(): Promise<void> {
    this.using = true;
    this.error = null;
    try {
      for (const date of SEARCH_DATES) {
        const scenes = (this.results[date]?.scenes ?? []).filter(
          (s) => this.picked[date].includes(s.id) && !s.unusable,
        );
        if (!scenes.length) continue;
        // The services announce the new imagery (imagery:changed), which the imagery store follows.
        await request('stac:useScenes', {
          role: date,
          catalogue: this.apiUrl,
          // Planet's images are always downloaded (the services prepare and fetch them).
          download: this.download || this.isPlanet,
          ...(this.bands ? { bands: this.bands } : {}),
          scenes,
        });
      }
      imagery.zoomRequest += 1;
      signal('stac:used');
    } catch (error) {
      this.error = asError(error);
      signal('stac:failed');
    } finally {
      this.using = false;
      this.downloading = null;
    }
  }

  /** The area of the project's imagery, where it has any (georeferenced). */
  areaFromImagery(): void {
    const rings = [imagery.state.before?.footprint, imagery.state.after?.footprint].filter(
      (r): r is [number, number][] => !!r,
    );
    if (imagery.state.mapSpace.kind !== 'wgs84' || rings.length === 0) return;
    const points = rings.flat();
    this.bbox = [
      Math.min(...points.map((p) => p[0])),
      Math.min(...points.map((p) => p[1])),
      Math.max(...points.map((p) => p[0])),
      Math.max(...points.map((p) => p[1])),
    ];
  }

  areaFromMap(): void {
    if (!this.mapBbox) return;
    // A world view reaches past the antimeridian and the poles of web mercator; a search area may not.
    const [w, s, e, n] = this.mapBbox.map((v) => Math.round(v * 1e6) / 1e6);
    this.bbox = [Math.max(w, -180), Math.max(s, -90), Math.min(e, 180), Math.min(n, 90)];
  }

  private async loadThumbnails(): Promise<void> {
    for (const { scene } of this.scenes) {
      if (!scene.thumbnailUrl || this.thumbnails[scene.id]) continue;
      const data = await request('stac:thumbnail', { url: scene.thumbnailUrl }).catch(() => null);
      if (data) this.thumbnails = { ...this.thumbnails, [scene.id]: data };
    }
    signal('stac:thumbnails');
  }
}

function asError(error: unknown): { code: string; message: string } {
  return error instanceof ApiCallError
    ? { code: error.code, message: error.message }
    : { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
}

export const stacFinder = new StacFinder();
