// Issue 14 (renderer): a boundary layer added from a file becomes the one shown, its attribute table asks the
// services for the run on screen sorted by changed area, and "Regions" filters the region list to a feature.
import { afterEach, describe, expect, it } from 'vitest';
import type { BoundaryFeatureRow, BoundaryLayerSummary } from '../../../src-main/ipc/contract';
import { services } from '../testing/fakeServices';
import { SETTINGS, regionPage, runDetail } from '../testing/runs';
import { BoundariesState } from './boundaries.svelte';
import { regions } from './regions.svelte';

afterEach(() => services.reset());

const layer = (id: number): BoundaryLayerSummary => ({
  id,
  name: `quartiers ${id}`,
  source: `/data/q${id}.geojson`,
  format: 'geojson',
  crs: 'EPSG:4326',
  labelField: 'l_qu',
  fields: [{ name: 'l_qu', type: 'text' }],
  featureCount: 2,
  extent: [2.3, 48.8, 2.4, 48.9],
});
const row = (fid: number, label: string, changedM2: number): BoundaryFeatureRow => ({
  fid,
  key: String(fid),
  label,
  areaM2: 1e6,
  properties: { l_qu: label },
  changedM2,
  changedPct: changedM2 / 1e4,
  regionCount: 3,
  transitions: [{ from: 'cropland', to: 'residential', areaM2: changedM2 }],
  reviews: { unreviewed: 2, confirmed: 1, rejected: 0 },
});

describe('BoundariesState', () => {
  it('adds a layer, shows its table for the run on screen, and filters the regions by a feature', async () => {
    const layers: BoundaryLayerSummary[] = [];
    services.handle('boundaries:add', () => {
      layers.push(layer(layers.length + 1));
      return layers.at(-1)!;
    });
    services.handle('boundaries:list', () => [...layers]);
    services.handle('boundaries:features', () => ({
      total: 2,
      items: [row(11, 'Bercy', 5000), row(12, 'Picpus', 1200)],
      join: { joinedAt: '2026-12-03T10:00:00Z', current: true },
    }));
    services.handle('run:get', ({ runId }) => runDetail(runId, { regionSettings: SETTINGS }));
    services.handle('regions:list', () => regionPage(3));
    services.handle('regions:facets', () => ({
      transitions: [],
      classes: [],
      reviewStates: { unreviewed: 3, confirmed: 0, rejected: 0 },
    }));
    await regions.useRun(4);

    const boundaries = new BoundariesState();
    await boundaries.load();
    expect(boundaries.active).toBeNull();
    expect(await boundaries.add('/data/q1.geojson')).toBe(true);
    expect(boundaries.active?.name).toBe('quartiers 1');

    boundaries.openTable();
    await new Promise((r) => setTimeout(r, 0));
    const asked = services.callsTo('boundaries:features').at(-1)!;
    expect(asked).toMatchObject({ layerId: 1, runId: 4, sort: 'changed', descending: true });
    expect(boundaries.rows.map((r) => r.label)).toEqual(['Bercy', 'Picpus']);
    expect(boundaries.join?.current).toBe(true);

    boundaries.setSort('label');
    expect(boundaries.descending).toBe(false);

    boundaries.showRegionsOf(boundaries.rows[0]);
    await new Promise((r) => setTimeout(r, 0));
    expect(regions.filtered).toBe(true);
    expect(services.callsTo('regions:list').at(-1)?.filters).toMatchObject({
      boundaryFeature: { layerId: 1, fid: 11 },
    });
    regions.setFilters({ boundaryFeature: null });
  });
});
