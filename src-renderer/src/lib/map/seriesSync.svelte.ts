// Keeps the series layers of a map in step with the series store: the time slider's date, the "when did it
// change" view (each period's regions in its colour) and a comparison of two runs. Returns the function that stops.
import type OlMap from 'ol/Map';
import { signal } from '../signals';
import { series } from '../../stores/series.svelte';
import { COMPARISON_COLOURS, periodColour } from './seriesColours';
import type { MapSpace } from './mapSpace';
import { dateLayer, outlineSetLayer } from './seriesLayers';

export function syncSeriesLayers(map: OlMap, space: MapSpace): () => void {
  const date = dateLayer((id, z, x, y) => series.dateTile(id, z, x, y), space);
  const periods = outlineSetLayer('when-changed', (runId, box) => series.outlines(runId, box), space, 52);
  const comparison = outlineSetLayer(
    'run-comparison',
    (runId, box) => series.outlines(runId, box),
    space,
    53,
  );
  for (const layer of [date.tiles.layer, periods.layer, comparison.layer]) map.addLayer(layer);
  periods.onLoaded(() => {
    series.mapCounts = periods.counts();
    signal('series:periods-loaded');
  });
  comparison.onLoaded(() => {
    series.mapCounts = comparison.counts();
    signal('series:comparison-loaded');
  });
  const stop = $effect.root(() => {
    $effect(() => {
      const shown = series.sliderDate;
      date.show(shown ? { id: shown.id, footprint: shown.footprint } : null);
    });
    $effect(() => {
      void series.mapRevision;
      const periodRuns = series.whenView ? series.periods.filter((p) => p.runId !== null) : [];
      periods.show(periodRuns.map((p) => ({ runId: p.runId!, colourOf: () => periodColour(p.index) })));
      const c = series.comparison;
      comparison.show(
        c
          ? [
              {
                runId: c.runA,
                colourOf: (fid) =>
                  c.bothA.includes(fid) ? COMPARISON_COLOURS.both : COMPARISON_COLOURS.onlyA,
              },
              {
                runId: c.runB,
                colourOf: (fid) =>
                  c.bothB.includes(fid) ? COMPARISON_COLOURS.both : COMPARISON_COLOURS.onlyB,
              },
            ]
          : [],
      );
    });
  });
  return () => {
    stop();
    for (const layer of [date.tiles.layer, periods.layer, comparison.layer]) map.removeLayer(layer);
  };
}
