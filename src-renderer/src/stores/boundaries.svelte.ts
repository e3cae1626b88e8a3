// Boundary layers of the open project (parcels, districts): the list, the layer shown on the map and in the
// attribute table (a page sorted and filtered on the server), its join with the run on screen (with progress),
// "zoom to feature" requests for the map, and the region list's filter by a feature.
import type {
  BoundaryFeatureRow,
  BoundaryJoinState,
  BoundaryLayerSummary,
  BoundarySort,
} from '../../../src-main/ipc/contract';
import { errorOf, onEvent, request } from '../lib/api';
import { signal } from '../lib/signals';
import { notices } from './notices.svelte';
import { regions } from './regions.svelte';

export const TABLE_PAGE = 200;

export class BoundariesState {
  layers = $state.raw<BoundaryLayerSummary[]>([]);
  /** The layer on the map and in the attribute table. */
  activeId = $state<number | null>(null);
  tableOpen = $state(false);
  rows = $state.raw<BoundaryFeatureRow[]>([]);
  total = $state(0);
  sort = $state<BoundarySort>('changed');
  /** The attribute sorted by when sort is 'field'. */
  sortField = $state<string | null>(null);
  descending = $state(true);
  filter = $state('');
  /** The active layer's join with the run on screen; null: never joined. */
  join = $state.raw<BoundaryJoinState | null>(null);
  joining = $state(false);
  joinFraction = $state(0);
  /** Bumped when the map's outlines must be reloaded (another layer, new labels). */
  revision = $state(0);
  /** A feature to zoom to ([minLon, minLat, maxLon, maxLat]) and a counter, so the same feature zooms again. */
  zoom = $state.raw<{ extent: [number, number, number, number]; seq: number } | null>(null);
  private subscribed = false;
  private ticket = 0;

  get active(): BoundaryLayerSummary | null {
    return this.layers.find((l) => l.id === this.activeId) ?? null;
  }

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    onEvent('boundaries:changed', ({ layers }) => this.setLayers(layers));
    onEvent('boundaries:joinProgress', ({ layerId, runId, fraction }) => {
      if (layerId === this.activeId && runId === regions.runId) this.joinFraction = fraction;
    });
  }

  reset(): void {
    this.layers = [];
    this.activeId = null;
    this.tableOpen = false;
    this.rows = [];
    this.total = 0;
    this.filter = '';
    this.join = null;
    this.joining = false;
    this.zoom = null;
    this.revision++;
  }

  private setLayers(layers: BoundaryLayerSummary[]): void {
    this.layers = layers;
    if (this.activeId === null || !layers.some((l) => l.id === this.activeId))
      this.activeId = layers.at(-1)?.id ?? null;
    this.revision++;
    void this.loadPage();
  }

  async load(): Promise<void> {
    const scope = notices.scope;
    try {
      this.setLayers(await request('boundaries:list', {}));
    } catch (error) {
      notices.error(error, 'Reading the boundary layers', scope);
    }
  }

  /** Adds a layer from a file; it becomes the active one. Returns whether it was added. */
  async add(path: string): Promise<boolean> {
    const scope = notices.scope;
    try {
      const layer = await request('boundaries:add', { path });
      this.activeId = layer.id;
      this.setLayers(await request('boundaries:list', {}));
      notices.push(
        'success',
        'BOUNDARY_ADDED',
        `Added ${layer.name}: ${layer.featureCount} features (${layer.crs}).`,
        scope,
      );
      signal('boundaries:added');
      return true;
    } catch (error) {
      notices.error(error, 'Adding the boundary layer', scope);
      return false;
    }
  }

  async remove(layerId: number): Promise<void> {
    try {
      if (regions.filters.boundaryFeature?.layerId === layerId) regions.setFilters({ boundaryFeature: null });
      this.setLayers(await request('boundaries:remove', { layerId }));
    } catch (error) {
      notices.error(error, 'Removing the boundary layer');
    }
  }

  choose(layerId: number): void {
    this.activeId = layerId;
    this.revision++;
    void this.loadPage();
  }

  async setLabelField(field: string | null): Promise<void> {
    if (this.activeId === null) return;
    try {
      await request('boundaries:setLabelField', { layerId: this.activeId, field });
    } catch (error) {
      notices.error(error, 'Changing the label field');
    }
  }

  /** The attribute table's page for the active layer and the run on screen. */
  async loadPage(): Promise<void> {
    const layerId = this.activeId;
    const ticket = ++this.ticket;
    if (layerId === null) {
      this.rows = [];
      this.total = 0;
      this.join = null;
      return;
    }
    try {
      const page = await request('boundaries:features', {
        layerId,
        runId: regions.runId ?? undefined,
        sort: this.sort,
        field: this.sort === 'field' ? (this.sortField ?? undefined) : undefined,
        descending: this.descending,
        filter: this.filter,
        limit: TABLE_PAGE,
      });
      if (ticket !== this.ticket) return;
      this.rows = page.items;
      this.total = page.total;
      this.join = page.join;
      signal('boundaries:table-loaded');
    } catch (error) {
      if (ticket === this.ticket) notices.error(error, 'Reading the attribute table');
    }
  }

  setSort(sort: BoundarySort, field: string | null = null): void {
    if (this.sort === sort && this.sortField === field) this.descending = !this.descending;
    else {
      this.sort = sort;
      this.sortField = field;
      // Figures read largest first, names A to Z.
      this.descending = !(sort === 'label' || sort === 'key' || sort === 'field');
    }
    void this.loadPage();
  }

  setFilter(text: string): void {
    this.filter = text;
    void this.loadPage();
  }

  openTable(): void {
    this.tableOpen = true;
    void this.loadPage();
  }

  closeTable(): void {
    this.tableOpen = false;
  }

  /** Joins the active layer to the run on screen, then shows the figures. */
  async joinRun(): Promise<void> {
    const layerId = this.activeId;
    const runId = regions.runId;
    if (layerId === null || runId === null || this.joining) return;
    this.joining = true;
    this.joinFraction = 0;
    try {
      const summary = await request('boundaries:join', { layerId, runId });
      notices.push(
        'success',
        'BOUNDARY_JOINED',
        `Joined ${summary.regionsJoined} of ${summary.regionsTotal} regions to ${summary.features} features in ${summary.seconds.toFixed(1)} s.`,
      );
      await this.loadPage();
      signal('boundaries:joined');
    } catch (error) {
      notices.error(error, 'Joining the regions to the boundaries');
    } finally {
      this.joining = false;
    }
  }

  async zoomTo(fid: number): Promise<void> {
    try {
      const feature = await request('boundaries:feature', { fid });
      this.zoom = { extent: feature.extent, seq: (this.zoom?.seq ?? 0) + 1 };
    } catch (error) {
      notices.error(error, 'Finding the feature');
    }
  }

  /**
   * Writes the active layer's summary for the run on screen (CSV or a GeoPackage layer). 'exists': a file is there
   * and the user has not confirmed replacing it (call again with `replace` once they did).
   */
  async exportSummary(
    format: 'csv' | 'gpkg',
    out: string,
    replace = false,
  ): Promise<'done' | 'exists' | 'failed'> {
    const layerId = this.activeId;
    const runId = regions.runId;
    if (layerId === null || runId === null) return 'failed';
    try {
      const result = await request('boundaries:exportSummary', {
        layerId,
        runId,
        format,
        out,
        overwrite: replace,
      });
      notices.push(
        'success',
        'EXPORTED',
        `Wrote the summary of ${result.featureCount} features to ${result.path}.`,
      );
      signal('boundaries:summary-exported');
      return 'done';
    } catch (error) {
      if (errorOf(error).code === 'EXPORT_EXISTS' && !replace) return 'exists';
      notices.error(error, 'Exporting the summary');
      return 'failed';
    }
  }

  /** The region list shows only the regions overlapping this feature. */
  showRegionsOf(row: BoundaryFeatureRow): void {
    if (this.activeId === null) return;
    regions.setFilters({ boundaryFeature: { layerId: this.activeId, fid: row.fid, label: row.label } });
  }
}

export const boundaries = new BoundariesState();
