// Scene thumbnails for the "Find imagery" list. The renderer may load nothing from the network (its CSP), so the
// services fetch them; only addresses a search of this session returned as thumbnails are fetched (the channel is
// no general URL fetcher), only small browser images are passed on, and failures just leave the picture out.
import { fetchAsset } from './assetSigning';
import { loadUndici, sharedProxyAgent, STAC_REQUEST_TIMEOUT_MS } from './stacHttp';

const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
/** Remembered thumbnail addresses per session: enough for many searches, bounded. */
const MAX_KNOWN = 5000;

export class ThumbnailGate {
  private readonly known = new Set<string>();

  /** `headersFor`: credentials an address needs (Planet's thumbnails want the user's key), else none. */
  constructor(private readonly headersFor?: (url: string) => Record<string, string> | undefined) {}

  allow(urls: (string | null)[]): void {
    for (const url of urls) if (url) this.known.add(url);
    while (this.known.size > MAX_KNOWN) this.known.delete(this.known.values().next().value!);
  }

  /** A data: URL of the thumbnail, or null when it is not one a search returned, or cannot be had. */
  async fetch(url: string): Promise<string | null> {
    if (!this.known.has(url)) return null;
    try {
      const headers = this.headersFor?.(url);
      const { fetch } = await loadUndici();
      // Credentials (Planet's key) must reach no other host than the one they were given for: no redirects then.
      const response = headers
        ? await fetch(url, {
            signal: AbortSignal.timeout(STAC_REQUEST_TIMEOUT_MS),
            headers,
            redirect: 'error',
            dispatcher: await sharedProxyAgent(),
          })
        : await fetchAsset(url, { signal: AbortSignal.timeout(STAC_REQUEST_TIMEOUT_MS) });
      const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      const length = Number(response.headers.get('content-length') ?? 0);
      if (!response.ok || !IMAGE_TYPES.includes(type) || length > MAX_THUMBNAIL_BYTES) {
        await response.body?.cancel();
        return null;
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      return bytes.length > MAX_THUMBNAIL_BYTES ? null : `data:${type};base64,${bytes.toString('base64')}`;
    } catch {
      return null;
    }
  }
}
