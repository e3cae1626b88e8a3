// The per-launch secret that every browser-host request and socket must carry.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The cookie that carries the token after the first load. Browsers keep cookies per host, not per port, so every
 * server on 127.0.0.1 shares one cookie jar: the port in the name keeps two ChangeMap instances from overwriting
 * each other's cookie (each would lock the other out). It is HttpOnly (no script reads it), SameSite=Strict (no
 * other site's page sends it) and has no expiry (it goes when the browser closes, and the token with the launch).
 */
export function tokenCookieName(port: number): string {
  return `changemap_token_${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}
