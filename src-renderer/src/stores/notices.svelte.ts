// Messages for the status bar and toasts: warnings the services push (log:warning) and errors from API calls,
// each kept with its stable code so people and tests can tell them apart. Messages belong to the project they came
// from: switching, closing or opening a project clears them (stores/wiring.svelte.ts), and a message from work
// started under another project is dropped instead of landing on the next one.
import { errorOf, onEvent } from '../lib/api';
import { signal } from '../lib/signals';

export interface Notice {
  id: number;
  kind: 'error' | 'warning' | 'success';
  code: string;
  message: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** Which project a message belongs to: bumped on every project change. */
export type NoticeScope = number;

const TOAST_LIMIT = 4;
const HISTORY_LIMIT = 200;
/**
 * How long a toast stays before it goes by itself. Errors stay longest (long enough to read two sentences and the
 * code) but do go: a toast sits over the map, and an old error must not hide the spot check. Every toast has a
 * dismiss button, and the status bar keeps the latest message until the project changes.
 */
export const TOAST_MS: Record<Notice['kind'], number> = { success: 5000, warning: 9000, error: 15000 };

export class NoticeState {
  /** Newest last; the status bar shows the latest, the toasts the ones not yet dismissed. */
  history = $state.raw<Notice[]>([]);
  toasts = $state.raw<Notice[]>([]);
  private nextId = 1;
  private subscribed = false;
  private currentScope: NoticeScope = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- timers are bookkeeping, nothing renders them
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  /** The latest message of the open project (the status bar), or null. */
  get latest(): Notice | null {
    return this.history[this.history.length - 1] ?? null;
  }

  /** The scope of the open project: pass it to push()/error() for work that may finish after a switch. */
  get scope(): NoticeScope {
    return this.currentScope;
  }

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    onEvent('log:warning', ({ message }) => this.push('warning', 'WARNING', message));
  }

  /** Adds a message; one whose scope is no longer the open project's is dropped (returns null). */
  push(kind: Notice['kind'], code: string, message: string, scope = this.currentScope): Notice | null {
    if (scope !== this.currentScope) return null;
    const notice: Notice = { id: this.nextId++, kind, code, message, at: Date.now() };
    this.history = [...this.history.slice(-(HISTORY_LIMIT - 1)), notice];
    const kept = this.toasts.slice(-(TOAST_LIMIT - 1));
    for (const dropped of this.toasts.slice(0, this.toasts.length - kept.length)) this.stopTimer(dropped.id);
    this.toasts = [...kept, notice];
    this.timers.set(
      notice.id,
      setTimeout(() => this.dismiss(notice.id), TOAST_MS[kind]),
    );
    return notice;
  }

  /** Records a failed API call: a toast with the code, and the `error:<CODE>` signal tests wait on. */
  error(error: unknown, context?: string, scope = this.currentScope): { code: string; message: string } {
    const { code, message } = errorOf(error);
    if (this.push('error', code, context ? `${context}: ${message}` : message, scope))
      signal(`error:${code}`);
    return { code, message };
  }

  dismiss(id: number): void {
    this.stopTimer(id);
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** Forgets every message (the project changed); work still running for the old project can no longer add any. */
  clear(): void {
    for (const id of this.timers.keys()) this.stopTimer(id);
    this.currentScope++;
    this.history = [];
    this.toasts = [];
  }

  private stopTimer(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }
}

export const notices = new NoticeState();
