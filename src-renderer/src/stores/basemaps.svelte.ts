// The project's own basemaps (XYZ, WMTS, WMS by URL, saved in the project) and which one the map shows. Their tiles
// come through the services (basemaps:tile), so the renderer never loads from another origin.
import type { Basemap, Request } from '../../../src-main/ipc/contract';
import { errorOf, request } from '../lib/api';
import { signal } from '../lib/signals';

export type BasemapRequest = Request<'basemaps:add'>;

export class BasemapsState {
  list = $state.raw<Basemap[]>([]);
  /** The basemap on the map (null: only the offline Natural Earth context). */
  activeId = $state<string | null>(null);
  /** Why the last add was refused (one sentence with its code), for the form. */
  error = $state.raw<{ code: string; message: string } | null>(null);
  busy = $state(false);

  get active(): Basemap | null {
    return this.list.find((b) => b.id === this.activeId) ?? null;
  }

  async load(): Promise<void> {
    try {
      this.list = await request('basemaps:list', {});
    } catch {
      this.list = [];
    }
    // Show the first saved basemap: the user added it to see it.
    this.activeId = this.list[0]?.id ?? null;
    signal('basemaps:loaded');
  }

  /** Adds a basemap and shows it; false (with `error` set) when the services refuse it. */
  async add(input: BasemapRequest): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      const known = this.list.map((b) => b.id);
      this.list = await request('basemaps:add', input);
      this.activeId = this.list.find((b) => !known.includes(b.id))?.id ?? this.activeId;
      signal('basemap:added');
      return true;
    } catch (error) {
      this.error = errorOf(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      this.list = await request('basemaps:remove', { id });
      if (this.activeId === id) this.activeId = null;
    } catch (error) {
      this.error = errorOf(error);
    }
  }

  tile(id: string, z: number, x: number, y: number) {
    return request('basemaps:tile', { id, z, x, y });
  }

  reset(): void {
    this.list = [];
    this.activeId = null;
    this.error = null;
  }
}

export const basemaps = new BasemapsState();
