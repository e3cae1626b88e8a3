// Issue 10 item 10: messages belong to the project they came from, and go away.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError } from '../lib/api';
import { raisedSignals, services } from '../testing/fakeServices';
import { NoticeState, TOAST_MS } from './notices.svelte';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  services.reset();
});

describe('NoticeState', () => {
  it('shows an error as a toast and in the status line, with its code and signal', () => {
    const notices = new NoticeState();
    const result = notices.error(new ApiCallError('EXPORT_FAILED', 'no'), 'Exporting');
    expect(result).toEqual({ code: 'EXPORT_FAILED', message: 'no' });
    expect(notices.toasts.map((t) => [t.kind, t.message])).toEqual([['error', 'Exporting: no']]);
    expect(notices.latest?.message).toBe('Exporting: no');
    expect(raisedSignals()).toContain('error:EXPORT_FAILED');
  });

  it('lets every toast go by itself, errors last, and each can be dismissed', () => {
    const notices = new NoticeState();
    notices.push('success', 'EXPORTED', 'done');
    notices.push('warning', 'WARNING', 'careful');
    const error = notices.push('error', 'DISK_FULL', 'full')!;
    notices.dismiss(error.id);
    expect(notices.toasts.map((t) => t.code)).toEqual(['EXPORTED', 'WARNING']);
    const stays = notices.push('error', 'DISK_FULL', 'full again')!;
    vi.advanceTimersByTime(TOAST_MS.success);
    expect(notices.toasts.map((t) => t.code)).toEqual(['WARNING', 'DISK_FULL']);
    vi.advanceTimersByTime(TOAST_MS.warning - TOAST_MS.success);
    expect(notices.toasts.map((t) => t.id)).toEqual([stays.id]);
    vi.advanceTimersByTime(TOAST_MS.error);
    expect(notices.toasts).toEqual([]);
    // the status line keeps the latest message of the project
    expect(notices.latest?.message).toBe('full again');
  });

  it('forgets every message when the project changes, and drops late ones of the old project', () => {
    const notices = new NoticeState();
    const scopeOfA = notices.scope;
    notices.push('error', 'EXPORT_FAILED', 'project A export failed');
    notices.clear();
    expect(notices.toasts).toEqual([]);
    expect(notices.latest).toBeNull();
    // an export started in project A finishes after the switch
    expect(notices.push('success', 'EXPORTED', 'Exported A', scopeOfA)).toBeNull();
    notices.error(new Error('late'), 'Exporting', scopeOfA);
    expect(notices.latest).toBeNull();
    expect(notices.push('warning', 'WARNING', 'B')).not.toBeNull();
    expect(notices.latest?.message).toBe('B');
  });

  it('shows the services warnings (log:warning)', () => {
    const notices = new NoticeState();
    notices.listen();
    services.emit('log:warning', { message: 'Preview failed' });
    expect(notices.latest).toMatchObject({ kind: 'warning', message: 'Preview failed' });
  });
});
