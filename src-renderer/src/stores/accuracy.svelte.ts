// The accuracy assessment of the run on screen: its newest sample, the point being labelled with its spot-check
// pictures, the figures, the per-district estimates, and the report.
import type {
  AccuracyByFeature,
  AccuracyState as SampleState,
  ReferenceLabel,
  Request,
  SpotCheck,
} from '../../../src-main/ipc/contract';
import { request } from '../lib/api';
import { signal } from '../lib/signals';
import { notices } from './notices.svelte';
import { selection } from './selection.svelte';

export class AccuracyStore {
  runId = $state<number | null>(null);
  sample = $state.raw<SampleState | null>(null);
  /** Index (in sample.points) of the point being labelled, or null. */
  current = $state<number | null>(null);
  spotCheck = $state.raw<SpotCheck | null>(null);
  loading = $state(false);
  busy = $state(false);
  byFeature = $state.raw<AccuracyByFeature[]>([]);
  lastReport = $state<string | null>(null);
  private ticket = 0;

  reset(): void {
    this.ticket++;
    this.runId = null;
    this.sample = null;
    this.byFeature = [];
    this.lastReport = null;
    this.close();
  }

  /** Shows the sample of a run (null: none on screen). */
  async useRun(runId: number | null): Promise<void> {
    if (runId === this.runId) return;
    this.reset();
    this.runId = runId;
    if (runId === null) return;
    const ticket = this.ticket;
    try {
      const sample = await request('accuracy:get', { runId });
      if (ticket === this.ticket) this.sample = sample;
    } catch (error) {
      notices.error(error, 'Reading the accuracy sample');
    }
  }

  async draw(options: Omit<Request<'accuracy:draw'>, 'runId'>): Promise<void> {
    if (this.runId === null) return;
    this.busy = true;
    try {
      this.sample = await request('accuracy:draw', { runId: this.runId, ...options });
      this.close();
      signal('accuracy:drawn');
    } catch (error) {
      notices.error(error, 'Drawing the sample');
    } finally {
      this.busy = false;
    }
  }

  /** Opens a point in the labelling view. */
  async open(index: number): Promise<void> {
    const point = this.sample?.points[index];
    if (!point) return;
    const ticket = ++this.ticket;
    selection.close(); // one spot check at a time
    this.current = index;
    this.spotCheck = null;
    this.loading = true;
    try {
      const images = await request('accuracy:spotCheck', { pointId: point.id });
      if (ticket !== this.ticket) return;
      this.spotCheck = images;
      signal('accuracy:point');
    } catch (error) {
      if (ticket === this.ticket) notices.error(error, `Opening sample point ${index + 1}`);
    } finally {
      if (ticket === this.ticket) this.loading = false;
    }
  }

  /** The first point without a label (else the first point). */
  async start(): Promise<void> {
    const points = this.sample?.points ?? [];
    const next = points.findIndex((p) => p.label === null);
    await this.open(next < 0 ? 0 : next);
  }

  step(delta: 1 | -1): Promise<void> {
    const next = (this.current ?? -1) + delta;
    if (!this.sample || next < 0 || next >= this.sample.points.length) return Promise.resolve();
    return this.open(next);
  }

  /** Labels the open point, then moves on to the next one without a label. */
  async label(label: ReferenceLabel): Promise<void> {
    const index = this.current;
    const point = index === null ? undefined : this.sample?.points[index];
    if (index === null || !point) return;
    this.busy = true;
    try {
      this.sample = await request('accuracy:label', { pointId: point.id, label });
      signal('accuracy:labelled');
      const points = this.sample.points;
      const after = points.findIndex((p, i) => i > index && p.label === null);
      const next = after >= 0 ? after : points.findIndex((p) => p.label === null);
      if (next >= 0) await this.open(next);
      else if (index + 1 < points.length) await this.open(index + 1);
    } catch (error) {
      notices.error(error, 'Saving the label');
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.ticket++;
    this.current = null;
    this.spotCheck = null;
    this.loading = false;
  }

  async loadByFeature(layerId: number): Promise<void> {
    if (this.runId === null) return;
    try {
      this.byFeature = await request('accuracy:byFeature', { runId: this.runId, layerId });
    } catch (error) {
      notices.error(error, 'Estimating the change per feature');
    }
  }

  async exportSample(format: 'csv' | 'gpkg', out: string, overwrite = false): Promise<void> {
    if (!this.sample) return;
    this.busy = true;
    try {
      const result = await request('accuracy:export', {
        sampleId: this.sample.sample.id,
        format,
        out,
        overwrite,
      });
      notices.push('success', 'EXPORTED', `Wrote ${result.pointCount} sample points to ${result.path}`);
      signal('accuracy:exported');
    } catch (error) {
      notices.error(error, 'Exporting the sample');
    } finally {
      this.busy = false;
    }
  }

  async makeReport(out: string, overwrite = false): Promise<void> {
    if (this.runId === null) return;
    this.busy = true;
    try {
      const result = await request('report:make', { runId: this.runId, out, overwrite });
      this.lastReport = result.path;
      notices.push('success', 'REPORT', `Wrote the report to ${result.path}`);
      signal('report:done');
    } catch (error) {
      notices.error(error, 'Making the report');
    } finally {
      this.busy = false;
    }
  }
}

export const accuracy = new AccuracyStore();
