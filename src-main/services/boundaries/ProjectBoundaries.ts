// A project's boundary layers: adding (read, reproject, store), relabelling, removing, and joining them to a run's
// regions, one join per layer and run at a time (a second request for the same join shares the first). Joins stop
// when the project closes.
import { readOnlyError, type ProjectStore } from '../project/projectStore';
import type { BoundaryJoinSummary, BoundaryLayerSummary, Request } from '../../ipc/contract';
import { joinBoundaryLayer } from './boundaryJoin';
import { addBoundaryLayer, listBoundaryLayers, removeBoundaryLayer, setLabelField } from './boundaryLayers';

export interface BoundaryNotices {
  changed(layers: BoundaryLayerSummary[]): void;
  progress(layerId: number, runId: number, fraction: number): void;
}

export class ProjectBoundaries {
  private readonly joins = new Map<string, Promise<BoundaryJoinSummary>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly project: ProjectStore,
    private readonly notices: BoundaryNotices,
  ) {}

  private writable(): void {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
  }

  list(): BoundaryLayerSummary[] {
    return listBoundaryLayers(this.project.db);
  }

  async add(request: Request<'boundaries:add'>): Promise<BoundaryLayerSummary> {
    this.writable();
    // The shapefile and FlatGeobuf readers load when a layer is added, not with every project's services.
    const { readBoundaryFile } = await import('./readBoundaryFile');
    const file = await readBoundaryFile(request.path, { layer: request.layer });
    const layer = addBoundaryLayer(this.project.db, file, {
      source: request.path,
      name: request.name,
      labelField: request.labelField,
    });
    this.notices.changed(this.list());
    return layer;
  }

  remove(layerId: number): BoundaryLayerSummary[] {
    this.writable();
    removeBoundaryLayer(this.project.db, layerId);
    const layers = this.list();
    this.notices.changed(layers);
    return layers;
  }

  setLabelField(layerId: number, field: string | null): BoundaryLayerSummary {
    this.writable();
    const layer = setLabelField(this.project.db, layerId, field);
    this.notices.changed(this.list());
    return layer;
  }

  join(layerId: number, runId: number): Promise<BoundaryJoinSummary> {
    this.writable();
    const key = `${layerId}:${runId}`;
    const running = this.joins.get(key);
    if (running) return running;
    const job = joinBoundaryLayer(this.project.db, layerId, runId, {
      signal: this.stop.signal,
      onProgress: (fraction) => this.notices.progress(layerId, runId, fraction),
    })
      .then((summary) => {
        this.notices.changed(this.list());
        return summary;
      })
      .finally(() => this.joins.delete(key));
    this.joins.set(key, job);
    return job;
  }

  /** Stops joins in flight; their results are not stored. */
  async dispose(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled([...this.joins.values()]);
  }
}
