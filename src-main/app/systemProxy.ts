// The operating system's proxy settings, handed to the services process (plain Node, which sees only environment
// variables) so catalogue searches work where the browser does. Chromium resolves the system's rules (fixed
// proxy, PAC script, WPAD) for a URL; the services read the result as HTTP(S)_PROXY (services/stac/stacHttp.ts).
import type { Session } from 'electron';

/** Environment for the services: empty when the user already set proxy variables, or the system goes direct. */
export async function systemProxyEnvironment(
  session: Pick<Session, 'resolveProxy'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, string>> {
  if (env.HTTP_PROXY || env.HTTPS_PROXY || env.http_proxy || env.https_proxy) return {};
  // Any public https URL stands for "the internet" here; PAC scripts that route per host are resolved per this one.
  const rule = await session.resolveProxy('https://earth-search.aws.element84.com/v1').catch(() => 'DIRECT');
  return proxyEnvironmentOfRule(rule);
}

/** Chromium's answer ("DIRECT", "PROXY host:port", "HTTPS host:port", "SOCKS5 host:port", or a list) as variables. */
export function proxyEnvironmentOfRule(rule: string): Record<string, string> {
  for (const entry of rule.split(';').map((s) => s.trim())) {
    if (/^DIRECT$/i.test(entry)) return {};
    const m = /^(PROXY|HTTPS)\s+([^\s;]+)$/i.exec(entry);
    if (m) {
      const url = `${m[1].toUpperCase() === 'HTTPS' ? 'https' : 'http'}://${m[2]}`;
      return { HTTP_PROXY: url, HTTPS_PROXY: url, NO_PROXY: 'localhost,127.0.0.1,::1' };
    }
    // SOCKS proxies: Node's HTTP client cannot use them; the next entry (often DIRECT) applies.
  }
  return {};
}
