// What the map shows and how: each layer's visibility, opacity and drawing order, the date comparison mode (swipe,
// side by side, flicker) and whether rejected regions are hidden. MapView syncs this into OpenLayers; the layer
// list and the compare bar edit it. Per window, not saved in the project.

export const MAP_LAYER_IDS = [
  'before',
  'after',
  'probability',
  'footprints',
  'chunks',
  'regions',
  'boundaries',
] as const;
export type MapLayerId = (typeof MAP_LAYER_IDS)[number];

export const COMPARE_MODES = ['off', 'swipe', 'side-by-side', 'flicker'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];

export const LAYER_NAMES: Record<MapLayerId, string> = {
  before: 'Before imagery',
  after: 'After imagery',
  probability: 'Change probability',
  footprints: 'Footprints',
  chunks: 'Chunk grid',
  regions: 'Change regions',
  boundaries: 'Boundaries',
};

/** Base z-index of the layers the user orders (basemaps sit below, drawing and measuring above). */
const ORDERED_Z_BASE = 10;

export class MapLayersState {
  visible = $state<Record<MapLayerId, boolean>>({
    before: false,
    after: true,
    probability: true,
    footprints: true,
    chunks: true,
    regions: true,
    boundaries: true,
  });
  opacity = $state<Record<MapLayerId, number>>({
    before: 1,
    after: 1,
    probability: 0.75,
    footprints: 1,
    chunks: 1,
    regions: 1,
    boundaries: 1,
  });
  /** Top of the list is drawn on top. */
  order = $state<MapLayerId[]>([
    'regions',
    'boundaries',
    'chunks',
    'footprints',
    'probability',
    'after',
    'before',
  ]);
  hideRejected = $state(false);
  compare = $state<CompareMode>('off');
  /** Swipe divider as a fraction of the map's width from its left edge: "before" left of it, "after" right. */
  swipe = $state(0.5);
  /** Which date flicker shows now. */
  flickerShows = $state<'before' | 'after'>('after');

  /** z-index of a layer from its place in the order (the top row gets the highest). */
  zIndexOf(id: MapLayerId): number {
    return ORDERED_Z_BASE + (this.order.length - 1 - this.order.indexOf(id)) * 10;
  }

  /** Moves a layer one step up (towards the top, drawn later) or down the list. */
  move(id: MapLayerId, direction: 'up' | 'down'): void {
    const i = this.order.indexOf(id);
    const j = direction === 'up' ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= this.order.length) return;
    const next = [...this.order];
    [next[i], next[j]] = [next[j], next[i]];
    this.order = next;
  }

  setOpacity(id: MapLayerId, value: number): void {
    this.opacity[id] = Math.min(1, Math.max(0, value));
  }

  setSwipe(fraction: number): void {
    this.swipe = Math.min(1, Math.max(0, fraction));
  }

  setCompare(mode: CompareMode): void {
    this.compare = mode;
    if (mode === 'flicker') this.flickerShows = 'after';
  }

  /** Flicker's key: shows the other date. Does nothing outside flicker mode. */
  flicker(): void {
    if (this.compare !== 'flicker') return;
    this.flickerShows = this.flickerShows === 'after' ? 'before' : 'after';
  }

  /**
   * Whether a date's imagery is drawn on the main map: comparing needs both dates (swipe) or shows one of them
   * (flicker; side by side puts "before" on its own map), whatever the checkboxes say.
   */
  dateShown(role: 'before' | 'after'): boolean {
    switch (this.compare) {
      case 'swipe':
        return true;
      case 'side-by-side':
        return role === 'after';
      case 'flicker':
        return this.flickerShows === role;
      default:
        return this.visible[role];
    }
  }

  reset(): void {
    this.compare = 'off';
    this.swipe = 0.5;
    this.flickerShows = 'after';
  }
}

export const mapLayers = new MapLayersState();
