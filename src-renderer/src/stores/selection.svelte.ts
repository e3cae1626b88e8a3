// The region being checked: its detail, the before / change / after spot-check images, and its review.
import type { RegionDetail, ReviewState, SpotCheck } from '../../../src-main/ipc/contract';
import { request } from '../lib/api';
import { signal } from '../lib/signals';
import { notices } from './notices.svelte';
import { regions } from './regions.svelte';

export class SelectionState {
  fid = $state<number | null>(null);
  /** Position of the region in the list as sorted and filtered now (-1 when not known). */
  index = $state(-1);
  detail = $state.raw<RegionDetail | null>(null);
  spotCheck = $state.raw<SpotCheck | null>(null);
  loading = $state(false);
  saving = $state(false);
  note = $state('');
  /** Height of the spot check panel over the map's lower part, in pixels (0 while closed): map controls keep above it. */
  panelHeight = $state(0);
  /** Asks the map to zoom to the region; bumped on each selection so re-selecting re-zooms. */
  zoomRequest = $state(0);
  private ticket = 0;

  async select(fid: number, index = regions.indexOf(fid)): Promise<void> {
    const ticket = ++this.ticket;
    this.fid = fid;
    this.index = index;
    this.loading = true;
    this.spotCheck = null;
    try {
      const detail = await request('regions:get', { fid });
      if (ticket !== this.ticket) return;
      this.detail = detail;
      this.note = detail.note;
      this.zoomRequest++;
      signal('region:selected');
      const spotCheck = await request('regions:spotCheck', { fid });
      if (ticket !== this.ticket) return;
      this.spotCheck = spotCheck;
      signal('spotcheck:ready');
    } catch (error) {
      if (ticket === this.ticket) notices.error(error, `Opening region ${fid}`);
    } finally {
      if (ticket === this.ticket) this.loading = false;
    }
  }

  /** Steps through the list as sorted and filtered (J/K, arrows). */
  async step(delta: 1 | -1): Promise<void> {
    const next = this.index + delta;
    if (next < 0 || next >= regions.total) return;
    const row = await regions.rowAtAsync(next);
    if (row) await this.select(row.fid, next);
  }

  async review(state: ReviewState): Promise<void> {
    if (this.fid === null) return;
    this.saving = true;
    try {
      const row = await request('regions:review', { fid: this.fid, state, note: this.note });
      regions.replaceRow(row);
      if (this.detail?.fid === row.fid) this.detail = { ...this.detail, ...row };
      void regions.refreshFacets();
      signal('review:saved');
    } catch (error) {
      notices.error(error, 'Saving the review');
    } finally {
      this.saving = false;
    }
  }

  /** Saves the note without changing the review state. */
  saveNote(): Promise<void> {
    return this.review(this.detail?.reviewState ?? 'unreviewed');
  }

  close(): void {
    this.ticket++;
    this.fid = null;
    this.index = -1;
    this.detail = null;
    this.spotCheck = null;
    this.loading = false;
  }
}

export const selection = new SelectionState();
