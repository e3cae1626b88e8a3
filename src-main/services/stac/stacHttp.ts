// One JSON request to a STAC API, with the answers a planner can act on: every failure of the catalogue (no answer,
// a stall, a refusal, a server error, something that is not JSON) ends in one sentence with a code.
import type * as Undici from 'undici';
import type { Dispatcher, Response } from 'undici';
import { ChangeMapError } from '../../core/errors';

let undici: Promise<typeof Undici> | null = null;
/**
 * undici, loaded at the first request that needs it: importing it costs about 170 ms, which every start of the
 * command line and the services paid before, though a run from files never goes online.
 */
export function loadUndici(): Promise<typeof Undici> {
  return (undici ??= import('undici'));
}

/** How long one request to a catalogue may take, body included, before it is given up (a stalled server). */
export const STAC_REQUEST_TIMEOUT_MS = 20_000;
/** A search page is a few hundred kB; anything far larger is not a STAC answer and must not fill memory. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface StacRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
}

export interface StacRequestOptions {
  /** The user's cancel. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Where requests go through; default: the proxy the environment names (proxyAgentFromEnvironment). */
  dispatcher?: Dispatcher;
}

/**
 * The system's proxy as the environment names it (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, upper or lower case; the
 * desktop app sets them for its services from the operating system's settings). Without any, requests go direct.
 */
export async function proxyAgentFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<Dispatcher> {
  const { EnvHttpProxyAgent } = await loadUndici();
  return new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  });
}

let sharedAgent: Promise<Dispatcher> | null = null;
/** One agent for the process's catalogue and asset requests (its connections are reused). */
export const sharedProxyAgent = (): Promise<Dispatcher> => (sharedAgent ??= proxyAgentFromEnvironment());
const defaultAgent = sharedProxyAgent;

/** Fetches one JSON document from a catalogue. */
export async function fetchStacJson(
  request: StacRequest,
  options: StacRequestOptions = {},
): Promise<unknown> {
  const host = hostOf(request.url);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? STAC_REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const method = request.method ?? 'GET';
  let response: Response;
  let text: string;
  try {
    const { fetch } = await loadUndici();
    response = await fetch(request.url, {
      method,
      signal,
      dispatcher: options.dispatcher ?? (await defaultAgent()),
      redirect: 'follow',
      headers: {
        accept: 'application/geo+json, application/json;q=0.9',
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      body: method === 'POST' ? JSON.stringify(request.body ?? {}) : undefined,
    });
    text = await readCapped(response, host);
  } catch (error) {
    throw failure(error, host, options.signal, timeout, options.timeoutMs ?? STAC_REQUEST_TIMEOUT_MS);
  }
  if (!response.ok) throw refusal(response.status, host, text);
  try {
    return JSON.parse(text);
  } catch {
    throw new ChangeMapError(
      'STAC_BAD_RESPONSE',
      `The catalogue at ${host} did not answer with JSON (HTTP ${response.status}); check that the address is a STAC API.`,
    );
  }
}

async function readCapped(response: Response, host: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) throw tooLarge(host);
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > MAX_RESPONSE_BYTES) throw tooLarge(host);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(host: string): ChangeMapError {
  return new ChangeMapError(
    'STAC_BAD_RESPONSE',
    `The catalogue at ${host} sent an answer over ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB, which is not a STAC page; check the address.`,
  );
}

function failure(
  error: unknown,
  host: string,
  userSignal: AbortSignal | undefined,
  timeout: AbortSignal,
  timeoutMs: number,
): unknown {
  if (error instanceof ChangeMapError) return error;
  if (userSignal?.aborted) return new ChangeMapError('STAC_CANCELLED', 'The catalogue search was cancelled.');
  if (timeout.aborted) {
    return new ChangeMapError(
      'STAC_TIMEOUT',
      `The catalogue at ${host} did not answer within ${Math.round(timeoutMs / 1000)} s; try again later or check the address.`,
    );
  }
  // The low-level reason (refused, reset, no such host) stays in the cause, not in the sentence: it would tell which
  // local ports are open.
  return new ChangeMapError(
    'STAC_UNREACHABLE',
    `Could not reach the catalogue at ${host}; check the address, the network and any proxy settings.`,
    { cause: error },
  );
}

function refusal(status: number, host: string, body: string): ChangeMapError {
  if (status >= 500) {
    return new ChangeMapError(
      'STAC_SERVER_ERROR',
      `The catalogue at ${host} failed to answer (HTTP ${status}); try again later.`,
    );
  }
  const reason = serverReason(body);
  return new ChangeMapError(
    'STAC_REQUEST_REFUSED',
    `The catalogue at ${host} refused the request (HTTP ${status}${reason ? `: ${reason}` : ''}); check the collection, area and dates.`,
  );
}

/** The server's own words, when it sent a STAC API error document ({ code, description }) or similar. */
function serverReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const text = [parsed.description, parsed.detail, parsed.message].find((v) => typeof v === 'string');
    return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
  } catch {
    return '';
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 100);
  }
}
