// Change-region outlines for the part of the map in view, loaded through the API as the view moves, coloured by
// the land cover each region changed to; the selected and hovered regions are drawn heavier. The review shows too:
// confirmed regions get a dark double outline, rejected ones a grey dashed one without fill (and can be hidden).
import VectorLayer from 'ol/layer/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import type { ReviewState } from '../../../../src-main/ipc/contract';
import { transitionTarget } from '../format';
import { landCoverColour, withAlpha } from './landCoverColours';
import type { MapSpace } from './mapSpace';
import { outlineSource, type ApiExtent } from './outlineSource';

export interface OutlineRecord {
  fid: number;
  transition: string;
  reviewState?: ReviewState;
  outline: [number, number][][][];
}
export type OutlineFetcher = (extentLonLat: ApiExtent) => Promise<OutlineRecord[]>;

export interface RegionLayer {
  layer: VectorLayer;
  reload(): void;
  setSelected(fid: number | null): void;
  setHovered(fid: number | null): void;
  /** A review saved since the outline loaded. */
  setReviewState(fid: number, state: ReviewState): void;
  setHideRejected(hide: boolean): void;
  /** Classes the loaded outlines changed to, with their colours (the legend). */
  legend(): { name: string; colour: string }[];
  onLoaded(listener: () => void): void;
}

/** How each review state looks on the map (also the legend's swatches). */
export const REVIEW_STYLES: Record<ReviewState, { label: string; stroke: string; dash: number[] | null }> = {
  unreviewed: { label: 'Unreviewed', stroke: 'class colour', dash: null },
  confirmed: { label: 'Confirmed', stroke: '#064e3b', dash: null },
  rejected: { label: 'Rejected', stroke: '#6b7280', dash: [5, 4] },
};

const styleCache = new Map<string, Style[]>();
function styleFor(target: string, emphasis: 'none' | 'hover' | 'selected', review: ReviewState): Style[] {
  const key = `${target}|${emphasis}|${review}`;
  let style = styleCache.get(key);
  if (!style) {
    const colour =
      review === 'rejected' ? REVIEW_STYLES.rejected.stroke : landCoverColour(target === '' ? null : target);
    const width = emphasis === 'none' ? 1.5 : 3;
    const main = new Style({
      stroke: new Stroke({
        color: emphasis === 'selected' ? '#111827' : colour,
        width,
        lineDash: REVIEW_STYLES[review].dash ?? undefined,
      }),
      fill: new Fill({
        color:
          review === 'rejected'
            ? 'rgba(107, 114, 128, 0.06)'
            : withAlpha(colour, emphasis === 'none' ? 0.22 : 0.38),
      }),
      zIndex: emphasis === 'none' ? 0 : 1,
    });
    // Confirmed: a dark halo outside the class colour, readable over any imagery.
    style =
      review === 'confirmed'
        ? [
            new Style({
              stroke: new Stroke({ color: REVIEW_STYLES.confirmed.stroke, width: width + 3 }),
              zIndex: 0,
            }),
            main,
          ]
        : [main];
    styleCache.set(key, style);
  }
  return style;
}

export function regionLayer(fetchOutlines: OutlineFetcher, space: MapSpace): RegionLayer {
  let selected: number | null = null;
  let hovered: number | null = null;
  let hideRejected = false;
  const outlines = outlineSource(
    async (extent) =>
      (await fetchOutlines(extent)).map((r) => ({
        id: r.fid,
        outline: r.outline,
        properties: { transition: r.transition, fid: r.fid, reviewState: r.reviewState ?? 'unreviewed' },
      })),
    space,
  );
  const source = outlines.source;

  const layer = new VectorLayer({
    source,
    zIndex: 50,
    style: (feature) => {
      const fid = feature.getId() as number;
      const emphasis = fid === selected ? 'selected' : fid === hovered ? 'hover' : 'none';
      const review = (feature.get('reviewState') as ReviewState | undefined) ?? 'unreviewed';
      if (review === 'rejected' && hideRejected && emphasis !== 'selected') return undefined;
      return styleFor(transitionTarget(String(feature.get('transition') ?? '')), emphasis, review);
    },
    properties: { name: 'change-regions' },
  });

  return {
    layer,
    reload: outlines.reload,
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
    setReviewState(fid, state) {
      source.getFeatureById(fid)?.set('reviewState', state);
    },
    setHideRejected(hide) {
      if (hide === hideRejected) return;
      hideRejected = hide;
      layer.changed();
    },
    legend() {
      const names = new Set<string>();
      for (const f of source.getFeatures()) names.add(transitionTarget(String(f.get('transition') ?? '')));
      return [...names]
        .sort()
        .map((name) => ({ name: name || 'unclassified', colour: landCoverColour(name || null) }));
    },
    onLoaded: outlines.onLoaded,
  };
}
