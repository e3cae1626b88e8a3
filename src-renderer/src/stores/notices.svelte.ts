// Messages for the status bar and toasts: warnings the services push (log:warning) and errors from API calls,
// each kept with its stable code so people and tests can tell them apart.
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

const TOAST_LIMIT = 4;
const HISTORY_LIMIT = 200;

export class NoticeState {
  /** Newest last; the status bar shows the latest, the toasts the ones not yet dismissed. */
  history = $state.raw<Notice[]>([]);
  toasts = $state.raw<Notice[]>([]);
  private nextId = 1;
  private subscribed = false;

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    onEvent('log:warning', ({ message }) => this.push('warning', 'WARNING', message));
  }

  push(kind: Notice['kind'], code: string, message: string): Notice {
    const notice: Notice = { id: this.nextId++, kind, code, message, at: Date.now() };
    this.history = [...this.history.slice(-(HISTORY_LIMIT - 1)), notice];
    this.toasts = [...this.toasts.slice(-(TOAST_LIMIT - 1)), notice];
    if (kind !== 'error') {
      setTimeout(() => this.dismiss(notice.id), kind === 'success' ? 5000 : 9000);
    }
    return notice;
  }

  /** Records a failed API call: a toast with the code, and the `error:<CODE>` signal tests wait on. */
  error(error: unknown, context?: string): { code: string; message: string } {
    const { code, message } = errorOf(error);
    this.push('error', code, context ? `${context}: ${message}` : message);
    signal(`error:${code}`);
    return { code, message };
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}

export const notices = new NoticeState();
