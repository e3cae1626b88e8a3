// Serves the renderer from a privileged custom scheme instead of file:// (Electron security checklist), with the
// same path-traversal guard and CSP as the browser host.
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../services/browserHost/csp';
import { resolveStaticPath } from '../services/browserHost/staticFiles';

export const APP_SCHEME = 'changemap-app';
export const APP_ORIGIN = `${APP_SCHEME}://ui`;

/** Must run before the app is ready. */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(rendererRoot: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'ui' ? resolveStaticPath(rendererRoot, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', contentSecurityPolicy());
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}
