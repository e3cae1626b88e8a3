// What ChangeMap tells about an imagery address it could not read: one answer for every network failure. The API
// that reads a URL for the user (imagery:setFiles, a VRT's /vsicurl/ sources) must not become a way for a page
// holding the token, or for a careless script, to learn which local ports answer and with what HTTP status
// (a port-probing oracle): a refused connection, a 404, a 500, a stalled server and a page that is not a TIFF all
// read "could not be read as imagery", after the same minimum time, and failures are rate-limited.
import { ChangeMapError } from '../../core/errors';

/** Failed reads of addresses allowed per window before addresses are refused without touching the network. */
export const REMOTE_FAILURES_PER_WINDOW = 10;
export const REMOTE_FAILURE_WINDOW_MS = 60_000;
/** Every failed read answers no sooner than this after it started: response times say nothing either. */
export const REMOTE_FAILURE_FLOOR_MS = 1000;

/** The one code for an address that could not be read as imagery, whatever went wrong on the network. */
export const IMAGERY_URL_UNREADABLE = 'IMAGERY_URL_UNREADABLE';

export function unreadableAddress(uri: string, cause: unknown): ChangeMapError {
  return new ChangeMapError(
    IMAGERY_URL_UNREADABLE,
    `${uri} could not be read as imagery; check the address, that the server is reachable, and that it serves a Cloud-Optimized GeoTIFF with range requests.`,
    { cause },
  );
}

/** An address with a scheme (scheme://...); a local file name may hold a colon ("scene:2020.tif") and stays a path. */
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Only http(s) addresses are read over the network; any other (file://, ftp://, gopher://) is refused by name
 * instead of being taken for a local path. A Windows drive letter (C:\) is a path, not a scheme.
 */
export function checkAddressScheme(uri: string): void {
  const scheme = SCHEME.exec(uri)?.[1];
  if (!scheme || scheme.length === 1 || /^https?$/i.test(scheme)) return;
  throw new ChangeMapError(
    'IMAGERY_URL_SCHEME',
    `${uri.slice(0, 200)} is a ${scheme.toLowerCase()}: address; ChangeMap reads imagery from local files and http:// or https:// addresses only.`,
  );
}

/** Failed address reads in a sliding window; past the limit, reads are refused before any network access. */
export class RemoteFailureLimit {
  private failures: number[] = [];
  constructor(
    private readonly max = REMOTE_FAILURES_PER_WINDOW,
    private readonly windowMs = REMOTE_FAILURE_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private prune(): void {
    const since = this.now() - this.windowMs;
    this.failures = this.failures.filter((t) => t > since);
  }

  /** Throws IMAGERY_URL_RATE_LIMITED while the window holds the most failures allowed. */
  check(uri: string): void {
    this.prune();
    if (this.failures.length < this.max) return;
    throw new ChangeMapError(
      'IMAGERY_URL_RATE_LIMITED',
      `${uri.slice(0, 200)} was not tried: ${this.max} addresses could not be read in the last minute; check the addresses and try again in a minute.`,
    );
  }

  record(): void {
    this.failures.push(this.now());
  }

  reset(): void {
    this.failures = [];
  }
}

/** The process's limit: the browser host, the desktop services and the command line each count their own. */
export const remoteFailures = new RemoteFailureLimit();

/** Waits until `floorMs` have passed since `startedAt`. */
export async function answerNoSoonerThan(startedAt: number, floorMs: number): Promise<void> {
  const left = startedAt + floorMs - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
}
