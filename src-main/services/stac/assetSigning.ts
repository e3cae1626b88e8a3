// Read access to assets that need a short-lived token (Microsoft Planetary Computer: images on Azure Blob storage
// are read with a SAS token from its Data Authentication API). Projects keep the unsigned address; every read signs
// it here, just before the request (COG range reads, thumbnails, downloads), so an address used by reference keeps
// working after any one token expires. Tokens are cached per storage account and container, as the
// planetary-computer Python package's sign() does (the address alone names them, no collection is needed), and
// renewed shortly before their expiry or once after the storage refuses a request (403).
import type { Response } from 'undici';
import { ChangeMapError } from '../../core/errors';
import type { AssetSigningKind } from '../../ipc/stacSchemas';
import { fetchStacJson, loadUndici, sharedProxyAgent, type StacRequestOptions } from './stacHttp';

/** The Planetary Computer's Data Authentication API (GET {api}/token/{account}/{container}). */
export const PLANETARY_COMPUTER_SAS_API = 'https://planetarycomputer.microsoft.com/api/sas/v1';
const BLOB_HOST_SUFFIX = '.blob.core.windows.net';
/** Planetary Computer storage that is public and not signed (the Python package leaves it alone too). */
const PUBLIC_ACCOUNTS = new Set(['ai4edatasetspublicassets']);
/** A token is renewed this long before its expiry: a COG read that starts must not outlive it halfway. */
export const TOKEN_RENEW_MARGIN_MS = 2 * 60_000;

export interface PlanetaryComputerSigning {
  /** The Data Authentication API's base; tests point it at the loopback server. */
  sasApi: string;
  /**
   * Blob storage reached path-style (<endpoint>/<account>/<container>/<blob>, as Azure's storage emulator serves
   * it), besides <account>.blob.core.windows.net; null: only the real storage.
   */
  storageEmulator: string | null;
}

interface Token {
  token: string;
  expiresAt: number;
}

interface Storage {
  kind: AssetSigningKind;
  account: string;
  container: string;
}

export class AssetSigner {
  /** Per storage: the token request, and its expiry once it arrived. */
  private readonly tokens = new Map<string, { pending: Promise<Token>; expiresAt?: number }>();

  constructor(
    readonly planetaryComputer: PlanetaryComputerSigning,
    private readonly options: { now?: () => number; request?: StacRequestOptions } = {},
  ) {}

  /** The storage (and the signing it needs) an address is on, or null when it is read as it is. */
  storageOf(href: string): Storage | null {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      return null;
    }
    if (url.searchParams.has('sig')) return null; // already signed by whoever gave it
    const emulator = this.planetaryComputer.storageEmulator?.replace(/\/*$/, '/');
    let parts: string[];
    if (emulator && href.startsWith(emulator)) {
      parts = href.slice(emulator.length).split(/[/?#]/);
    } else if (url.protocol === 'https:' && url.hostname.endsWith(BLOB_HOST_SUFFIX)) {
      parts = [url.hostname.slice(0, -BLOB_HOST_SUFFIX.length), ...url.pathname.split('/').slice(1)];
    } else {
      return null;
    }
    const [account, container] = parts;
    if (!account || !container || PUBLIC_ACCOUNTS.has(account)) return null;
    return { kind: 'planetary-computer', account, container };
  }

  /** The address to read now: with a valid token for its storage where it needs one, else unchanged. */
  async sign(href: string): Promise<string> {
    const storage = this.storageOf(href);
    if (!storage) return href;
    const { token } = await this.tokenFor(storage);
    return `${href}${href.includes('?') ? '&' : '?'}${token}`;
  }

  /** Drops the cached token of an address's storage (the storage refused it), so the next sign() asks again. */
  forget(href: string): void {
    const storage = this.storageOf(href);
    if (storage) this.tokens.delete(keyOf(storage));
  }

  private tokenFor(storage: Storage): Promise<Token> {
    const key = keyOf(storage);
    const now = (this.options.now ?? Date.now)();
    const cached = this.tokens.get(key);
    // Reads that start together share one request; a token close to its expiry is not handed out.
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - TOKEN_RENEW_MARGIN_MS > now)) {
      return cached.pending;
    }
    return this.requestToken(storage);
  }

  private requestToken(storage: Storage): Promise<Token> {
    const key = keyOf(storage);
    const api = this.planetaryComputer.sasApi.replace(/\/+$/, '');
    const url = `${api}/token/${encodeURIComponent(storage.account)}/${encodeURIComponent(storage.container)}`;
    const pending = fetchStacJson({ url }, this.options.request).then(
      (json) => parseToken(json, storage),
      (error: unknown) => {
        throw new ChangeMapError(
          'STAC_SIGNING_FAILED',
          `The Planetary Computer did not hand out a read token for ${storage.account}/${storage.container}${error instanceof Error ? ` (${error.message.replace(/\.$/, '')})` : ''}; try again later.`,
          { cause: error },
        );
      },
    );
    const entry: { pending: Promise<Token>; expiresAt?: number } = { pending };
    this.tokens.set(key, entry);
    pending.then(
      (t) => (entry.expiresAt = t.expiresAt),
      // A failed request is not cached: the next read asks again.
      () => this.tokens.get(key) === entry && this.tokens.delete(key),
    );
    return pending;
  }
}

function keyOf(storage: Storage): string {
  return `${storage.kind}:${storage.account}/${storage.container}`;
}

function parseToken(json: unknown, storage: Storage): Token {
  const body = (json ?? {}) as { token?: unknown; 'msft:expiry'?: unknown };
  const expiresAt = typeof body['msft:expiry'] === 'string' ? Date.parse(body['msft:expiry']) : NaN;
  if (typeof body.token !== 'string' || body.token.length === 0 || !Number.isFinite(expiresAt)) {
    throw new ChangeMapError(
      'STAC_SIGNING_FAILED',
      `The Planetary Computer's answer for ${storage.account}/${storage.container} holds no token and expiry; try again later.`,
    );
  }
  return { token: body.token.replace(/^\?/, ''), expiresAt };
}

let shared: AssetSigner | null = null;

/**
 * The process's signer. Its token API and storage emulator come from CHANGEMAP_PC_SAS_API and
 * CHANGEMAP_PC_STORAGE_EMULATOR where set (the tests' loopback server), else the Planetary Computer's own.
 */
export function assetSigner(): AssetSigner {
  shared ??= new AssetSigner({
    sasApi: process.env.CHANGEMAP_PC_SAS_API || PLANETARY_COMPUTER_SAS_API,
    storageEmulator: process.env.CHANGEMAP_PC_STORAGE_EMULATOR || null,
  });
  return shared;
}

/** Replaces the process's signer (tests; null: back to the one the environment describes). */
export function setAssetSigner(signer: AssetSigner | null): void {
  shared = signer;
}

/**
 * GET of an asset, signed where its storage needs it; a 403 (the token expired or was revoked early) renews the
 * token and tries once more.
 */
export async function fetchAsset(
  href: string,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  signer: AssetSigner = assetSigner(),
): Promise<Response> {
  const { fetch } = await loadUndici();
  const options = { ...init, dispatcher: await sharedProxyAgent() };
  const first = await fetch(await signer.sign(href), options);
  if (first.status !== 403 || !signer.storageOf(href)) return first;
  await first.body?.cancel();
  signer.forget(href);
  return fetch(await signer.sign(href), options);
}
