// The map layers of a series of dates: the time slider's imagery (one date's preview tiles at a time), and region
// outlines of several runs at once, each outline styled by which run (period) it belongs to or by where it stands
// in a comparison of two runs. Plain OpenLayers objects; stores reach them through seriesSync.svelte.ts.
import { boundingExtent } from 'ol/extent';
import VectorLayer from 'ol/layer/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import { apiTileLayer, type ApiTileLayer, type TileFetcher } from './apiTileLayer';
import { withAlpha } from './landCoverColours';
import type { MapSpace } from './mapSpace';
import { outlineSource, type ApiExtent } from './outlineSource';

export type RunOutlines = (
  runId: number,
  extent: ApiExtent,
) => Promise<{ fid: number; outline: [number, number][][][] }[]>;

/** One run's regions drawn by an outline layer, each in the colour `colourOf(fid)` gives. */
export interface OutlineSet {
  runId: number;
  colourOf: (fid: number) => string;
}

export interface OutlineSetLayer {
  layer: VectorLayer;
  /** Draws these runs' regions (none: the layer empties). */
  show(sets: OutlineSet[]): void;
  /** Features on the map now, by colour: what tests and the legend count. */
  counts(): Record<string, number>;
  onLoaded(listener: () => void): void;
}

const styles = new Map<string, Style>();
function outlineStyle(colour: string): Style {
  let style = styles.get(colour);
  if (!style) {
    style = new Style({
      stroke: new Stroke({ color: colour, width: 2 }),
      fill: new Fill({ color: withAlpha(colour, 0.3) }),
    });
    styles.set(colour, style);
  }
  return style;
}

export function outlineSetLayer(
  name: string,
  fetch: RunOutlines,
  space: MapSpace,
  zIndex: number,
): OutlineSetLayer {
  let sets: OutlineSet[] = [];
  const outlines = outlineSource(async (box) => {
    const loaded = await Promise.all(
      sets.map(async (set) => ({ set, records: await fetch(set.runId, box) })),
    );
    return loaded.flatMap(({ set, records }) =>
      records.map((r) => ({
        id: `${set.runId}:${r.fid}`,
        outline: r.outline,
        properties: { colour: set.colourOf(r.fid), runId: set.runId, fid: r.fid },
      })),
    );
  }, space);
  const source = outlines.source;
  const layer = new VectorLayer({
    source,
    zIndex,
    visible: false,
    style: (feature) => outlineStyle(String(feature.get('colour'))),
    properties: { name },
  });
  return {
    layer,
    show(next) {
      sets = next;
      outlines.clear();
      layer.setVisible(next.length > 0);
      if (next.length > 0) source.refresh();
    },
    counts() {
      const counts: Record<string, number> = {};
      for (const f of source.getFeatures()) {
        const colour = String(f.get('colour'));
        counts[colour] = (counts[colour] ?? 0) + 1;
      }
      return counts;
    },
    onLoaded: outlines.onLoaded,
  };
}

export interface DateLayer {
  tiles: ApiTileLayer;
  /** Shows one date's imagery (its id and footprint in map coordinates), or nothing. */
  show(date: { id: number; footprint: [number, number][] | null } | null): void;
}

/** The time slider's imagery: one date of the series at a time, above the before and after previews. */
export function dateLayer(
  fetch: (dateId: number, z: number, x: number, y: number) => ReturnType<TileFetcher>,
  space: MapSpace,
): DateLayer {
  let dateId: number | null = null;
  const tiles = apiTileLayer(
    'series-date',
    (z, x, y) => (dateId === null ? Promise.resolve(null) : fetch(dateId, z, x, y)),
    space,
    { zIndex: 12 },
  );
  tiles.layer.setVisible(false);
  return {
    tiles,
    show(date) {
      if (date?.id === dateId) return;
      dateId = date?.id ?? null;
      tiles.layer.setVisible(dateId !== null);
      tiles.setExtent(date?.footprint ? boundingExtent(date.footprint.map((p) => space.toView(p))) : null);
      tiles.refresh();
    },
  };
}
