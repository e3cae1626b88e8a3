import { describe, expect, it } from 'vitest';
import { proxyEnvironmentOfRule, systemProxyEnvironment } from './systemProxy';

describe('the system proxy for the services process', () => {
  it('turns Chromium’s proxy rule into environment variables', () => {
    expect(proxyEnvironmentOfRule('DIRECT')).toEqual({});
    expect(proxyEnvironmentOfRule('PROXY proxy.corp:3128; DIRECT')).toEqual({
      HTTP_PROXY: 'http://proxy.corp:3128',
      HTTPS_PROXY: 'http://proxy.corp:3128',
      NO_PROXY: 'localhost,127.0.0.1,::1',
    });
    expect(proxyEnvironmentOfRule('HTTPS secure.corp:443').HTTPS_PROXY).toBe('https://secure.corp:443');
    // SOCKS is skipped for the next usable entry.
    expect(proxyEnvironmentOfRule('SOCKS5 s:1080; PROXY p:8080').HTTP_PROXY).toBe('http://p:8080');
    expect(proxyEnvironmentOfRule('SOCKS5 s:1080')).toEqual({});
  });

  it('leaves variables the user set alone, and asks the session otherwise', async () => {
    const asked: string[] = [];
    const session = {
      resolveProxy: async (url: string) => {
        asked.push(url);
        return 'PROXY p:8080';
      },
    };
    expect(await systemProxyEnvironment(session, { HTTPS_PROXY: 'http://mine:1' })).toEqual({});
    expect(asked).toHaveLength(0);
    expect((await systemProxyEnvironment(session, {})).HTTPS_PROXY).toBe('http://p:8080');
    expect(asked).toHaveLength(1);
  });
});
