// Change-region outlines for the part of the map in view, loaded through the API as the view moves, coloured by
// the land cover each region changed to; the selected and hovered regions are drawn heavier.
import Feature from 'ol/Feature';
import type { Extent } from 'ol/extent';
import MultiPolygon from 'ol/geom/MultiPolygon';
import VectorLayer from 'ol/layer/Vector';
import { bbox as bboxStrategy } from 'ol/loadingstrategy';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import { transitionTarget } from '../format';
import { landCoverColour, withAlpha } from './landCoverColours';
import type { MapSpace } from './mapSpace';

export interface OutlineRecord {
  fid: number;
  transition: string;
  outline: [number, number][][][];
}
export type OutlineFetcher = (extentLonLat: [number, number, number, number]) => Promise<OutlineRecord[]>;

export interface RegionLayer {
  layer: VectorLayer;
  reload(): void;
  setSelected(fid: number | null): void;
  setHovered(fid: number | null): void;
  /** Classes the loaded outlines changed to, with their colours (the legend). */
  legend(): { name: string; colour: string }[];
  onLoaded(listener: () => void): void;
}

const styleCache = new Map<string, Style>();
function styleFor(target: string, emphasis: 'none' | 'hover' | 'selected'): Style {
  const key = `${target}|${emphasis}`;
  let style = styleCache.get(key);
  if (!style) {
    const colour = landCoverColour(target === '' ? null : target);
    style = new Style({
      stroke: new Stroke({
        color: emphasis === 'selected' ? '#111827' : colour,
        width: emphasis === 'none' ? 1.5 : 3,
      }),
      fill: new Fill({ color: withAlpha(colour, emphasis === 'none' ? 0.22 : 0.38) }),
      zIndex: emphasis === 'none' ? 0 : 1,
    });
    styleCache.set(key, style);
  }
  return style;
}

export function regionLayer(fetchOutlines: OutlineFetcher, space: MapSpace): RegionLayer {
  let selected: number | null = null;
  let hovered: number | null = null;
  let generation = 0;
  const loadedListeners = new Set<() => void>();

  const source: VectorSource = new VectorSource({
    strategy: bboxStrategy,
    loader: (extent: Extent, _resolution, projection, success, failure) => {
      const ticket = generation;
      const [w, s, e, n] = space.extentFromView(extent);
      const clamped: [number, number, number, number] = [
        Math.max(-180, w),
        Math.max(-85, s),
        Math.min(180, e),
        Math.min(85, n),
      ];
      fetchOutlines(clamped).then(
        (records) => {
          if (ticket !== generation) return success?.([]);
          const features = records
            .filter((r) => !source.getFeatureById(r.fid))
            .map((r) => {
              const geometry = new MultiPolygon(
                r.outline.map((polygon) => polygon.map((ring) => ring.map((p) => space.toView(p)))),
              );
              const feature = new Feature({ geometry, transition: r.transition, fid: r.fid });
              feature.setId(r.fid);
              return feature;
            });
          source.addFeatures(features);
          success?.(features);
          for (const listener of loadedListeners) listener();
        },
        () => {
          source.removeLoadedExtent(extent);
          failure?.();
        },
      );
    },
  });

  const layer = new VectorLayer({
    source,
    zIndex: 50,
    style: (feature) => {
      const fid = feature.getId() as number;
      const emphasis = fid === selected ? 'selected' : fid === hovered ? 'hover' : 'none';
      return styleFor(transitionTarget(String(feature.get('transition') ?? '')), emphasis);
    },
    properties: { name: 'change-regions' },
  });

  return {
    layer,
    reload() {
      generation++;
      source.clear(true);
      source.refresh();
    },
    setSelected(fid) {
      if (fid === selected) return;
      selected = fid;
      layer.changed();
    },
    setHovered(fid) {
      if (fid === hovered) return;
      hovered = fid;
      layer.changed();
    },
    legend() {
      const names = new Set<string>();
      for (const f of source.getFeatures()) names.add(transitionTarget(String(f.get('transition') ?? '')));
      return [...names]
        .sort()
        .map((name) => ({ name: name || 'unclassified', colour: landCoverColour(name || null) }));
    },
    onLoaded(listener) {
      loadedListeners.add(listener);
    },
  };
}
