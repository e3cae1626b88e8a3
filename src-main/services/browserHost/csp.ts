// The renderer's Content Security Policy, shared by Electron (meta tag + header) and the browser host (header).
// No remote origins at all: ChangeMap works offline and loads nothing from the network. A user's basemap (XYZ, WMTS,
// WMS by URL) does not change that: the services fetch its tiles (services/basemaps, http(s) only) and the renderer
// gets them as data: URLs through the API, so its origin never needs a place in img-src or connect-src.
export function contentSecurityPolicy(connectSrc: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${connectSrc.join(' ')}`.trim(),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
