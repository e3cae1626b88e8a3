// Electron's security checklist, applied once for every window and web contents.
import { app, session, type WebContents } from 'electron';
import { APP_ORIGIN } from './rendererProtocol';

/** True for frames of our own renderer: the only senders the IPC handlers answer. */
export function isTrustedUrl(url: string | undefined): boolean {
  return typeof url === 'string' && url.startsWith(`${APP_ORIGIN}/`);
}

/** The navigation guards of one web contents: nothing leaves our own renderer, and nothing else opens. */
export function guardWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault();
  });
  // Every frame, not only the main one (will-navigate sees the main frame alone). ChangeMap's UI has no frames: an
  // injected one could otherwise be steered to our own origin, whose frames the IPC handlers answer.
  contents.on('will-frame-navigate', (details) => {
    if (!details.isMainFrame || !isTrustedUrl(details.url)) details.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSessions(): void {
  // Deny every permission (camera, notifications, geolocation, ...): ChangeMap needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents: WebContents) => guardWebContents(contents));
}
