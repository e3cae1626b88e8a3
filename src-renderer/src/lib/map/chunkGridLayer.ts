// The run's chunk grid over the map, coloured by each chunk's state: waiting (grey outline), running (amber),
// done (green) and failed (red). Chunk events restyle one feature each, never the whole grid.
import Feature from 'ol/Feature';
import Polygon from 'ol/geom/Polygon';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import type { ChunkStateName } from '../../../../src-main/ipc/contract';
import type { MapSpace } from './mapSpace';

export const CHUNK_COLOURS: Record<ChunkStateName, { stroke: string; fill: string | null }> = {
  waiting: { stroke: 'rgba(90, 98, 112, 0.7)', fill: null },
  running: { stroke: '#d18a00', fill: 'rgba(240, 170, 20, 0.28)' },
  done: { stroke: 'rgba(26, 127, 55, 0.85)', fill: 'rgba(46, 160, 67, 0.12)' },
  failed: { stroke: '#c0362c', fill: 'rgba(192, 54, 44, 0.3)' },
};

const STYLES = Object.fromEntries(
  Object.entries(CHUNK_COLOURS).map(([state, c]) => [
    state,
    new Style({
      stroke: new Stroke({
        color: c.stroke,
        width: state === 'running' ? 2 : 1,
        lineDash: state === 'waiting' ? [4, 4] : undefined,
      }),
      fill: c.fill ? new Fill({ color: c.fill }) : undefined,
    }),
  ]),
) as Record<ChunkStateName, Style>;

export interface ChunkGridLayer {
  layer: VectorLayer;
  setChunks(chunks: { idx: number; state: ChunkStateName; ring: [number, number][] }[]): void;
  setState(idx: number, state: ChunkStateName): void;
}

export function chunkGridLayer(space: MapSpace): ChunkGridLayer {
  const source = new VectorSource();
  const layer = new VectorLayer({
    source,
    style: (feature) => STYLES[feature.get('state') as ChunkStateName] ?? STYLES.waiting,
    zIndex: 40,
    updateWhileAnimating: false,
    properties: { name: 'chunk-grid' },
  });
  return {
    layer,
    setChunks(chunks) {
      source.clear(true);
      source.addFeatures(
        chunks.map((c) => {
          const feature = new Feature({
            geometry: new Polygon([c.ring.map((p) => space.toView(p))]),
            state: c.state,
          });
          feature.setId(c.idx);
          return feature;
        }),
      );
    },
    setState(idx, state) {
      source.getFeatureById(idx)?.set('state', state);
    },
  };
}
