// Where Planet's Data API is and how a request to it is sent: the user's key in Planet's own header
// (`Authorization: api-key KEY`), only ever to Planet's own hosts, through the system's proxy, with a timeout and
// the user's cancel; every failure (a refused key, "too many requests", a server error, something that is not JSON,
// no answer) ends in one sentence with a code.
import type { Dispatcher, Response } from 'undici';
import { ChangeMapError } from '../../core/errors';
import { hostOf, loadUndici, sharedProxyAgent, STAC_REQUEST_TIMEOUT_MS } from '../stac/stacHttp';

/** Planet's Data API, version 1. */
export const PLANET_DATA_API_URL = 'https://api.planet.com/data/v1';
/** Item types offered first: PlanetScope scenes (3-5 m), SkySat collects (0.5 m). */
export const PLANET_ITEM_TYPES = ['PSScene', 'SkySatCollect'];

/**
 * The Data API's address: CHANGEMAP_PLANET_API_URL where set (tests point it at a loopback fake; a site may point
 * it at a gateway), else Planet's.
 */
export function planetApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHANGEMAP_PLANET_API_URL?.trim();
  return (configured || PLANET_DATA_API_URL).replace(/\/+$/, '');
}

/**
 * How long to wait before the first look at an asset being prepared: CHANGEMAP_PLANET_POLL_MS where set (tests use
 * milliseconds against the fake), else 5 s (Planet prepares a scene in seconds to minutes).
 */
export function planetPollMs(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.CHANGEMAP_PLANET_POLL_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : 5_000;
}

export function isPlanetApi(url: string | null | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!url && url.replace(/\/+$/, '') === planetApiUrl(env);
}

/**
 * Whether the key may go with a request to `url`: the configured API's own origin, or Planet's HTTPS hosts (the
 * thumbnails are on tiles.planet.com). Any other address (a link in an answer pointing elsewhere) gets no key.
 */
export function keyMayGoTo(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    const target = new URL(url);
    if (target.origin === new URL(planetApiUrl(env)).origin) return true;
    return target.protocol === 'https:' && /(^|\.)planet\.com$/i.test(target.hostname);
  } catch {
    return false;
  }
}

export function planetAuthHeaders(key: string): Record<string, string> {
  return { authorization: `api-key ${key}` };
}

export interface PlanetRequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  env?: NodeJS.ProcessEnv;
}

/** A search page or an item's assets are tens of kB; far more is not an answer of the Data API. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Sends one request with the key and reads its JSON answer; `what` names it in messages ("the search"). */
export async function planetJson(
  request: PlanetHttpRequest,
  key: string,
  what: string,
  options: PlanetRequestOptions = {},
): Promise<unknown> {
  const sent = await send(request, key, what, options);
  let text: string;
  try {
    text = await readCapped(sent.response);
  } catch (error) {
    throw failure(error, what, options.signal, sent.timeout, sent.timeoutMs);
  }
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new ChangeMapError(
      'PLANET_BAD_RESPONSE',
      `Planet answered ${what} with something that is not JSON (HTTP ${sent.response.status}); try again later.`,
    );
  }
}

/** Sends one request with the key; the answer's status is checked, its body left to the caller. */
export async function planetRequest(
  request: PlanetHttpRequest,
  key: string,
  what: string,
  options: PlanetRequestOptions = {},
): Promise<Response> {
  return (await send(request, key, what, options)).response;
}

export interface PlanetHttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: unknown;
}

async function send(
  request: PlanetHttpRequest,
  key: string,
  what: string,
  options: PlanetRequestOptions,
): Promise<{ response: Response; timeout: AbortSignal; timeoutMs: number }> {
  if (!keyMayGoTo(request.url, options.env)) {
    throw new ChangeMapError(
      'PLANET_BAD_RESPONSE',
      `Planet pointed ${what} at ${hostOf(request.url)}, which is not Planet's; your key was not sent there.`,
    );
  }
  const timeoutMs = options.timeoutMs ?? STAC_REQUEST_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    const { fetch } = await loadUndici();
    response = await fetch(request.url, {
      method: request.method ?? 'GET',
      signal,
      dispatcher: options.dispatcher ?? (await sharedProxyAgent()),
      // Redirects are not followed with the key: it must reach no other host.
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...planetAuthHeaders(key),
      },
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
    });
  } catch (error) {
    throw failure(error, what, options.signal, timeout, timeoutMs);
  }
  if (response.status >= 200 && response.status < 300) return { response, timeout, timeoutMs };
  const body = await response.text().catch(() => '');
  throw refusal(response.status, response.headers.get('retry-after'), what, body);
}

async function readCapped(response: Response): Promise<string> {
  if (Number(response.headers.get('content-length') ?? 0) > MAX_RESPONSE_BYTES) throw tooLarge();
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > MAX_RESPONSE_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(): ChangeMapError {
  return new ChangeMapError(
    'PLANET_BAD_RESPONSE',
    `Planet sent an answer over ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB, which is not a Data API answer; check CHANGEMAP_PLANET_API_URL.`,
  );
}

function failure(
  error: unknown,
  what: string,
  userSignal: AbortSignal | undefined,
  timeout: AbortSignal,
  timeoutMs: number,
): unknown {
  if (error instanceof ChangeMapError) return error;
  if (userSignal?.aborted) return new ChangeMapError('STAC_CANCELLED', `${capital(what)} was cancelled.`);
  if (timeout.aborted) {
    return new ChangeMapError(
      'PLANET_TIMEOUT',
      `Planet did not answer ${what} within ${Math.round(timeoutMs / 1000)} s; try again later.`,
    );
  }
  // The low-level reason stays in the cause, not in the sentence.
  return new ChangeMapError(
    'PLANET_UNREACHABLE',
    `Could not reach Planet for ${what}; check the network and any proxy settings.`,
    { cause: error },
  );
}

function refusal(status: number, retryAfter: string | null, what: string, body: string): ChangeMapError {
  if (status === 401 || status === 403) {
    return new ChangeMapError(
      'PLANET_KEY_REFUSED',
      `Planet refused your API key for ${what} (HTTP ${status}); check the key in your Planet account settings and enter it again.`,
    );
  }
  if (status === 429) return new PlanetRateLimitError(retryAfterSeconds(retryAfter));
  if (status >= 500) {
    return new ChangeMapError(
      'PLANET_SERVER_ERROR',
      `Planet failed to answer ${what} (HTTP ${status}); try again later.`,
    );
  }
  if (status >= 300 && status < 400) {
    return new ChangeMapError(
      'PLANET_BAD_RESPONSE',
      `Planet redirected ${what} elsewhere (HTTP ${status}); your key was not sent on; check CHANGEMAP_PLANET_API_URL.`,
    );
  }
  const reason = serverReason(body);
  return new ChangeMapError(
    'PLANET_REQUEST_REFUSED',
    `Planet refused ${what} (HTTP ${status}${reason ? `: ${reason}` : ''}); check the item type, area and dates.`,
  );
}

/** Planet's 429: the sentence, and how long Planet asked to wait (Retry-After), for callers that wait themselves. */
export class PlanetRateLimitError extends ChangeMapError {
  constructor(readonly retryAfterS: number | null) {
    super(
      'PLANET_RATE_LIMITED',
      `Planet asks to slow down (HTTP 429, too many requests); try again in ${retryAfterS !== null ? `${retryAfterS} s` : 'a minute'}.`,
    );
  }
}

/** Retry-After in seconds (a number of seconds or an HTTP date), null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : null;
}

/** Planet's own words: `{ message }`, `{ general: [{ message }] }` or `{ field: { name: [{ message }] } }`. */
function serverReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const general = Array.isArray(parsed.general) ? (parsed.general[0] as { message?: unknown }) : null;
    const text = [parsed.message, general?.message, parsed.detail].find((v) => typeof v === 'string');
    return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
  } catch {
    return '';
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
