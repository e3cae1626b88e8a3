// The navigation, window and permission guards of security.ts, on stand-ins for Electron's objects (Electron's binary
// is not on this machine; the guards only use event emitters and handler setters, which the stand-ins have).
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const handlers: { permissionRequest?: unknown; permissionCheck?: unknown } = {};
  return {
    handlers,
    app: null as unknown as EventEmitter,
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: unknown) => (handlers.permissionRequest = h),
        setPermissionCheckHandler: (h: unknown) => (handlers.permissionCheck = h),
      },
    },
  };
});
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  electron.app = new Emitter();
  return { app: electron.app, session: electron.session };
});

import { hardenSessions, isTrustedUrl } from './security';
import { APP_ORIGIN } from './rendererProtocol';

/** A web contents as the guards see it: events, plus the window-open handler they set. */
class FakeContents extends EventEmitter {
  windowOpen: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpen = handler;
  }
}

/** Emits an event whose listener gets (event, ...args) and reports whether it was prevented. */
function prevented(contents: FakeContents, name: string, ...args: unknown[]): boolean {
  let stopped = false;
  contents.emit(name, { preventDefault: () => (stopped = true) }, ...args);
  return stopped;
}

/** will-frame-navigate hands one details object that is also the event. */
function framePrevented(contents: FakeContents, url: string, isMainFrame: boolean): boolean {
  let stopped = false;
  contents.emit('will-frame-navigate', {
    url,
    isMainFrame,
    isSameDocument: false,
    frame: null,
    preventDefault: () => (stopped = true),
  });
  return stopped;
}

const OURS = `${APP_ORIGIN}/index.html`;

describe('Electron security guards', () => {
  let contents: FakeContents;
  beforeEach(() => {
    electron.app.removeAllListeners();
    hardenSessions();
    contents = new FakeContents();
    electron.app.emit('web-contents-created', {}, contents);
  });

  it('trusts only our own renderer origin', () => {
    expect(isTrustedUrl(OURS)).toBe(true);
    for (const url of ['https://example.com/', 'file:///etc/passwd', `${APP_ORIGIN}.evil/`, undefined])
      expect(isTrustedUrl(url)).toBe(false);
  });

  it('keeps the main frame on our renderer (will-navigate, will-redirect)', () => {
    expect(prevented(contents, 'will-navigate', 'https://example.com/')).toBe(true);
    expect(prevented(contents, 'will-navigate', OURS)).toBe(false);
    expect(prevented(contents, 'will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(prevented(contents, 'will-redirect', OURS)).toBe(false);
  });

  it('stops every frame from navigating away, and any subframe from navigating at all (will-frame-navigate)', () => {
    expect(framePrevented(contents, 'https://example.com/', true)).toBe(true);
    expect(framePrevented(contents, OURS, true)).toBe(false);
    expect(framePrevented(contents, 'https://example.com/', false)).toBe(true);
    // A subframe on our own origin would be answered by the IPC handlers: ChangeMap has none, so none may load.
    expect(framePrevented(contents, OURS, false)).toBe(true);
  });

  it('refuses webviews, new windows and every permission', () => {
    expect(prevented(contents, 'will-attach-webview', {}, {})).toBe(true);
    expect(contents.windowOpen?.({ url: OURS })).toEqual({ action: 'deny' });
    const answers: boolean[] = [];
    (electron.handlers.permissionRequest as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)(
      {},
      'media',
      (ok) => answers.push(ok),
    );
    expect(answers).toEqual([false]);
    expect((electron.handlers.permissionCheck as () => boolean)()).toBe(false);
  });
});
