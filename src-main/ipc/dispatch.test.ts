import { describe, expect, it, vi } from 'vitest';
import { ChangeMapError } from '../core/errors';
import type { ApiHandlers } from './contract';
import { dispatch, type Logger } from './dispatch';

function handlers(overrides: Partial<ApiHandlers>): ApiHandlers {
  return overrides as ApiHandlers;
}

const silent = () => ({ error: vi.fn(), warn: vi.fn() }) satisfies Logger;

describe('dispatch, the one validating wrapper', () => {
  it('passes the parsed request to the handler and wraps its value', async () => {
    const open = vi.fn((req: { path: string }) => ({ path: req.path }) as never);
    const result = await dispatch(
      handlers({ 'project:open': open }),
      'project:open',
      { path: '/a.gpkg' },
      silent(),
    );
    expect(result).toEqual({ ok: true, value: { path: '/a.gpkg' } });
    expect(open).toHaveBeenCalledWith({ path: '/a.gpkg' });
  });

  it('answers a bad payload with VALIDATION and never calls the handler', async () => {
    const open = vi.fn();
    for (const payload of [{}, { path: 42 }, { path: '' }, { path: 'a\0b' }, { path: '/a', extra: 1 }]) {
      const result = await dispatch(handlers({ 'project:open': open }), 'project:open', payload, silent());
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('VALIDATION');
    }
    expect(open).not.toHaveBeenCalled();
  });

  it('refuses unknown channels', async () => {
    const result = await dispatch(handlers({}), 'fs:delete', {}, silent());
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('keeps the code of an expected error', async () => {
    const open = () => {
      throw new ChangeMapError('PROJECT_CORRUPT', 'broken');
    };
    const result = await dispatch(
      handlers({ 'project:open': open }),
      'project:open',
      { path: '/a' },
      silent(),
    );
    expect(result).toEqual({ ok: false, error: { code: 'PROJECT_CORRUPT', message: 'broken' } });
  });

  it('turns an unexpected throw into INTERNAL, logged with its stack, without leaking internals', async () => {
    const logger = silent();
    const boom = new TypeError('cannot read x of undefined at /secret/path.ts');
    const open = async () => {
      throw boom;
    };
    const result = await dispatch(handlers({ 'project:open': open }), 'project:open', { path: '/a' }, logger);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INTERNAL');
      expect(result.error.message).not.toContain('/secret/path.ts');
    }
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('project:open'), boom);
  });
});

describe('dispatch maps disk and database failures', () => {
  it('reports a full disk as DISK_FULL', async () => {
    const open = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const result = await dispatch(
      handlers({ 'project:open': open }),
      'project:open',
      { path: '/a' },
      silent(),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'DISK_FULL' } });
  });
});
