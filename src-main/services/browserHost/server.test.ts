import fs from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { startBrowserHost, type BrowserHost } from './server';
import { readCookie, tokenMatches } from './token';
import type { ApiHandlers } from '../../ipc/contract';

describe('token', () => {
  it('matches only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'ab')).toBe(false);
    expect(tokenMatches('abc', null)).toBe(false);
  });
  it('reads a cookie among others', () => {
    expect(readCookie('a=1; changemap_token=x%2By; b=2', 'changemap_token')).toBe('x+y');
    expect(readCookie(undefined, 'changemap_token')).toBeNull();
  });
});

/** A raw request, so tests control the Host header. */
function get(
  port: number,
  pathName: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(port: number, headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('browser host', () => {
  let host: BrowserHost;
  let root: string;
  const events = new EventBus();

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-host-'));
    fs.mkdirSync(path.join(root, 'www'));
    fs.writeFileSync(path.join(root, 'www', 'index.html'), '<h1>ChangeMap</h1>');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'outside the web root');
    const handlers = { 'app:info': () => ({ version: 'test' }) } as unknown as ApiHandlers;
    host = await startBrowserHost({ handlers, events, staticRoot: path.join(root, 'www'), token: 'T0KEN' });
  });
  afterAll(async () => {
    await host.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: 'Bearer T0KEN', host: `127.0.0.1:${host.port}` });

  it('binds to loopback', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('refuses requests without the token', async () => {
    expect((await get(host.port, '/')).status).toBe(401);
    expect((await get(host.port, '/', { cookie: `changemap_token_${host.port}=nope` })).status).toBe(401);
  });

  it('trades the token in the address for an HttpOnly, SameSite=Strict cookie named for its port', async () => {
    const res = await get(host.port, '/?token=T0KEN');
    expect(res.status).toBe(303);
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^changemap_token_${host.port}=T0KEN;`));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/Expires|Max-Age/i);
    const page = await get(host.port, '/', { cookie: `changemap_token_${host.port}=T0KEN` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('ChangeMap');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    // The port-less name of old, or another port's cookie, is not this instance's.
    expect((await get(host.port, '/', { cookie: 'changemap_token=T0KEN' })).status).toBe(401);
    expect((await get(host.port, '/', { cookie: `changemap_token_${host.port + 1}=T0KEN` })).status).toBe(
      401,
    );
  });

  it('keeps two instances apart: each answers only to its own cookie', async () => {
    const other = await startBrowserHost({
      handlers: {} as ApiHandlers,
      events: new EventBus(),
      staticRoot: path.join(root, 'www'),
      token: 'OTHER',
    });
    try {
      // The browser sends both cookies to both ports (cookies ignore ports); each host picks its own.
      const jar = `changemap_token_${host.port}=T0KEN; changemap_token_${other.port}=OTHER`;
      expect((await get(host.port, '/', { cookie: jar })).status).toBe(200);
      expect((await get(other.port, '/', { cookie: jar })).status).toBe(200);
      // Opening the second instance no longer replaces the first one's cookie: the names differ.
      const second = await get(other.port, '/?token=OTHER');
      expect(second.headers['set-cookie']?.[0]).toMatch(new RegExp(`^changemap_token_${other.port}=`));
      expect((await get(other.port, '/', { cookie: `changemap_token_${host.port}=T0KEN` })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(host.port, '/', { ...auth(), host: 'evil.example:80' })).status).toBe(403);
  });

  it('never serves files outside the web root', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00index.html']) {
      const res = await get(host.port, p, auth());
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('outside the web root');
    }
  });

  it('answers API calls over a socket that carries the token, and pushes events', async () => {
    const ws = await connect(host.port, { authorization: 'Bearer T0KEN' });
    expect(ws).toBeInstanceOf(WebSocket);
    const socket = ws as WebSocket;
    const messages: unknown[] = [];
    socket.on('message', (m) => messages.push(JSON.parse(m.toString())));
    socket.send(JSON.stringify({ seq: 1, type: 'app:info', payload: {} }));
    socket.send(JSON.stringify({ seq: 2, type: 'app:info', payload: { unexpected: true } }));
    socket.send('not json');
    await new Promise((r) => setTimeout(r, 100));
    events.emit('log:warning', { message: 'hello' });
    await new Promise((r) => setTimeout(r, 100));
    // The replies of ipc/rpc.ts: { seq, ok, value | error }, errors with the dispatcher's codes.
    expect(messages).toContainEqual({ seq: 1, ok: true, value: { version: 'test' } });
    expect(messages).toContainEqual(
      expect.objectContaining({ seq: 2, ok: false, error: expect.objectContaining({ code: 'VALIDATION' }) }),
    );
    expect(messages).toContainEqual({
      seq: null,
      ok: false,
      error: { code: 'VALIDATION', message: 'Malformed API message.' },
    });
    expect(messages).toContainEqual({ event: 'log:warning', payload: { message: 'hello' } });
    socket.close();
  });

  it('closes a socket that sends a bad frame or an oversized message, and keeps serving the others', async () => {
    const closed = (socket: WebSocket) => new Promise<number>((r) => socket.on('close', (code) => r(code)));
    const big = (await connect(host.port, { authorization: 'Bearer T0KEN' })) as WebSocket;
    const bigClosed = closed(big);
    big.send(JSON.stringify({ seq: 1, type: 'app:info', payload: { pad: 'x'.repeat(2 << 20) } }));
    expect(await bigClosed).toBe(1009); // message too big
    const raw = (await connect(host.port, { authorization: 'Bearer T0KEN' })) as WebSocket;
    const rawClosed = closed(raw);
    // A final frame with the reserved opcode 0x3, unmasked: invalid twice over from a client.
    (raw as unknown as { _socket: Socket })._socket.write(Buffer.from([0x83, 0x00]));
    expect(await rawClosed).toBe(1002); // protocol error

    const ws = (await connect(host.port, { authorization: 'Bearer T0KEN' })) as WebSocket;
    const reply = new Promise((r) => ws.once('message', (m) => r(JSON.parse(m.toString()))));
    ws.send(JSON.stringify({ seq: 7, type: 'app:info', payload: {} }));
    expect(await reply).toEqual({ seq: 7, ok: true, value: { version: 'test' } });
    ws.close();
  });

  it('refuses sockets without the token or from another origin', async () => {
    expect(await connect(host.port, {})).toBe(401);
    expect(await connect(host.port, { authorization: 'Bearer T0KEN', origin: 'http://evil.example' })).toBe(
      401,
    );
  });
});
