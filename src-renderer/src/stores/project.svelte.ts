// The open project and the recent-projects list.
import type { ProjectSummary, RecentProject } from '../../../src-main/ipc/contract';
import { errorOf, onEvent, request } from '../lib/api';
import { signal } from '../lib/signals';

export class ProjectState {
  current = $state.raw<ProjectSummary | null>(null);
  recent = $state.raw<RecentProject[]>([]);
  error = $state<{ code: string; message: string } | null>(null);
  busy = $state(false);
  /** Work that must reach the project before it closes (e.g. the map view's last, still debounced, save). */
  private closing: (() => Promise<void>)[] = [];
  private switchListeners: ((current: ProjectSummary | null) => void)[] = [];
  private subscribed = false;

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    // The services change the project on their own too (Electron's File > Open, a file opened with the app).
    onEvent('project:changed', ({ project }) => {
      this.setCurrent(project);
      void this.refreshRecent();
    });
  }

  /**
   * Called whenever another project (or none) becomes the open one, whatever caused it: the place where every
   * per-project store is reset (stores/wiring.svelte.ts). Returns the unregister function.
   */
  onSwitch(listener: (current: ProjectSummary | null) => void): () => void {
    this.switchListeners = [...this.switchListeners, listener];
    return () => {
      this.switchListeners = this.switchListeners.filter((l) => l !== listener);
    };
  }

  private setCurrent(next: ProjectSummary | null): void {
    const switched = (next?.path ?? null) !== (this.current?.path ?? null);
    this.current = next;
    if (switched) for (const listener of this.switchListeners) listener(next);
  }

  async init(): Promise<void> {
    await this.attempt(async () => {
      this.setCurrent(await request('project:current', {}));
      await this.refreshRecent();
    });
    signal(this.current ? 'project:loaded' : 'start:ready');
  }

  async refreshRecent(): Promise<void> {
    this.recent = await request('recent:list', {});
  }

  create(path: string, name?: string): Promise<boolean> {
    return this.attempt(async () => {
      this.setCurrent(await request('project:create', { path, name }));
      signal('project:loaded');
    });
  }

  open(path: string): Promise<boolean> {
    return this.attempt(async () => {
      this.setCurrent(await request('project:open', { path }));
      signal('project:loaded');
    });
  }

  /** Registers work to finish before the project closes; returns the unregister function. */
  beforeClose(flush: () => Promise<void>): () => void {
    this.closing = [...this.closing, flush];
    return () => {
      this.closing = this.closing.filter((f) => f !== flush);
    };
  }

  close(): Promise<boolean> {
    return this.attempt(async () => {
      await Promise.all(this.closing.map((flush) => flush().catch(() => undefined)));
      await request('project:close', {});
      this.setCurrent(null);
      await this.refreshRecent();
      signal('project:closed');
    });
  }

  removeRecent(path: string): Promise<boolean> {
    return this.attempt(async () => {
      this.recent = await request('recent:remove', { path });
    });
  }

  dismissError(): void {
    this.error = null;
  }

  private async attempt(work: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await work();
      return true;
    } catch (error) {
      this.error = errorOf(error);
      signal(`error:${this.error.code}`);
      return false;
    } finally {
      this.busy = false;
    }
  }
}

export const project = new ProjectState();
