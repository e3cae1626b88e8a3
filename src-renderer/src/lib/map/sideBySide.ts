// Side by side: a second map beside the main one that shares its View (the OpenLayers "shared views" idiom), so
// panning or zooming either moves both. It holds its own layers, since an OpenLayers layer belongs to one map.
import Map from 'ol/Map';
import type BaseLayer from 'ol/layer/Base';
import type View from 'ol/View';

export interface SideMap {
  map: Map;
  dispose(): void;
}

export function sideBySideMap(target: HTMLElement, view: View, layers: BaseLayer[]): SideMap {
  const map = new Map({ target, view, layers, controls: [] });
  return {
    map,
    dispose: () => {
      map.setTarget(undefined);
      // The shared view must not keep the side map's layers alive.
      map.setLayers([]);
    },
  };
}
