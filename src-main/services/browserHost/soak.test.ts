// Soak test of the browser host: 50 WebSocket clients and 50 HTTP clients at once, thousands of calls over loopback
// (valid ones, invalid ones, messages just under the size limit and over it, malformed JSON, invalid frames,
// clients that vanish mid-call). The host, in a child process of its own with a project open, must answer every
// call with the right answer or the right error, keep running, drop every socket's event subscription, and come
// back to the memory it had before the load (heap within MEMORY_TOLERANCE after garbage collection).
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WS_CLIENTS = 50;
const HTTP_CLIENTS = 50;
const ROUNDS = 6;
/** The browser host's message limit (server.ts MAX_MESSAGE_BYTES). */
const MAX_MESSAGE = 1 << 20;
/** How far the host's heap and buffers may stay above the baseline after the load: V8 keeps some slack. */
const MEMORY_TOLERANCE = { heapBytes: 8 << 20, heapShare: 0.25, arrayBufferBytes: 8 << 20 };

interface Memory {
  heapUsed: number;
  rss: number;
  arrayBuffers: number;
  subscribed: number;
}

let child: ChildProcess;
let port = 0;
let token = '';

function ask<T>(message: object, key: keyof T): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: T) => {
      if (reply && typeof reply === 'object' && key in reply) {
        child.off('message', listener);
        resolve(reply);
      }
    };
    child.on('message', listener);
    child.send(message);
  });
}
const measure = () => ask<Memory>({ measure: true }, 'heapUsed');

beforeAll(async () => {
  child = fork(path.join(import.meta.dirname, '..', '..', 'cli', 'testing', 'soakHost.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(JSON.parse(line) as { port: number; token: string });
    });
    child.once('exit', (code) => reject(new Error(`the soak host exited with ${code}`)));
  });
  ({ port, token } = ready);
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.send({ stop: true });
    await new Promise((resolve) => child.once('exit', resolve));
  }
});

/** Outcomes: the calls made and the ones that got the wrong answer (kept to the first few for the message). */
class Tally {
  calls = 0;
  wrong: string[] = [];
  check(what: string, good: boolean, got: unknown): void {
    this.calls++;
    if (!good && this.wrong.length < 10) this.wrong.push(`${what}: ${JSON.stringify(got).slice(0, 200)}`);
  }
}

type Reply = { seq: number | null; ok: boolean; value?: unknown; error?: { code: string } };

/** A WebSocket client that matches replies to calls and counts the replies that answer no call (seq null). */
class Client {
  private seq = 0;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private orphanWaiters: ((reply: Reply) => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Reply & { event?: string };
      if (message.event) return;
      if (message.seq === null) return this.orphanWaiters.shift()?.(message);
      this.waiting.get(message.seq)?.(message);
      this.waiting.delete(message.seq);
    });
  }
  static open(): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, {
        headers: { authorization: `Bearer ${token}` },
      });
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }
  call(type: string, payload: unknown, pad = 0): Promise<Reply> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      const padded = pad ? { ...(payload as object), pad: 'x'.repeat(pad) } : payload;
      this.ws.send(JSON.stringify({ seq, type, payload: padded }));
    });
  }
  sendRaw(text: string): Promise<Reply> {
    return new Promise((resolve) => {
      this.orphanWaiters.push(resolve);
      this.ws.send(text);
    });
  }
  closed(): Promise<number> {
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }
  raw(bytes: number[]): void {
    (this.ws as unknown as { _socket: Socket })._socket.write(Buffer.from(bytes));
  }
}

const isError = (code: string) => (r: Reply) => !r.ok && r.error?.code === code;

/** One burst of calls that leave the socket open, each with the test of its right answer. */
const BURST: [string, (c: Client) => Promise<Reply>, (r: Reply) => boolean][] = [
  [
    'app:info',
    (c) => c.call('app:info', {}),
    (r) => r.ok && (r.value as { version: string }).version === 'soak',
  ],
  [
    'project:current',
    (c) => c.call('project:current', {}),
    (r) => r.ok && (r.value as { name: string }).name === 'Soak',
  ],
  ['run:list', (c) => c.call('run:list', {}), (r) => r.ok && Array.isArray(r.value) && r.value.length === 0],
  [
    'project:setMapView',
    (c) => c.call('project:setMapView', { center: [15.5, 48.2], zoom: 9 }),
    (r) => r.ok && r.value === null,
  ],
  [
    'project:getMapView',
    (c) => c.call('project:getMapView', {}),
    (r) => r.ok && (r.value as { zoom: number }).zoom === 9,
  ],
  [
    'fs:list',
    (c) => c.call('fs:list', {}),
    (r) => r.ok && (r.value as { entries: { name: string }[] }).entries.some((e) => e.name === 'soak.gpkg'),
  ],
  ['fs:list outside', (c) => c.call('fs:list', { dir: '/etc' }), isError('FS_OUTSIDE_ROOTS')],
  ['extra field', (c) => c.call('app:info', { unexpected: 1 }), isError('VALIDATION')],
  ['bad value', (c) => c.call('regions:get', { fid: -5 }), isError('VALIDATION')],
  ['unknown channel', (c) => c.call('nope:nothing', {}), isError('UNKNOWN_CHANNEL')],
  ['missing run', (c) => c.call('run:get', { runId: 424242 }), (r) => !r.ok && r.error?.code !== 'INTERNAL'],
  // Just under the transport's limit: read whole, then refused by the contract (a field it does not know).
  ['large', (c) => c.call('app:info', {}, MAX_MESSAGE - 200), isError('VALIDATION')],
  ['not JSON', (c) => c.sendRaw('{"seq": 1, "type": '), isError('VALIDATION')],
  ['no seq', (c) => c.sendRaw(JSON.stringify({ type: 'app:info', payload: {} })), isError('VALIDATION')],
];

/** Ways a client loses its socket, each with the close code the host must answer with (null: the client left). */
const ENDINGS: [string, (c: Client) => void, number | null][] = [
  ['over the size limit', (c) => void c.call('app:info', {}, MAX_MESSAGE + 10), 1009],
  ['reserved opcode', (c) => c.raw([0x83, 0x00]), 1002],
  ['unmasked frame', (c) => c.raw([0x81, 0x02, 0x68, 0x69]), 1002],
  [
    'gone mid-call',
    (c) => {
      void c.call('project:current', {});
      (c.ws as unknown as { _socket: Socket })._socket.destroy();
    },
    null,
  ],
];

async function wsClient(index: number, rounds: number, tally: Tally): Promise<void> {
  let client = await Client.open();
  for (let round = 0; round < rounds; round++) {
    const replies = await Promise.all(BURST.map(([, send]) => send(client)));
    replies.forEach((reply, i) => tally.check(BURST[i][0], BURST[i][2](reply), reply));
    // Every other round ends this socket one of the bad ways, and the client comes back.
    if (round % 2 === 1) {
      const [what, end, code] = ENDINGS[(index + round) % ENDINGS.length];
      const closed = client.closed();
      end(client);
      const got = await closed;
      tally.check(what, code === null || got === code, got);
      client = await Client.open();
    }
  }
  const closed = client.closed();
  client.ws.close();
  await closed;
}

function get(pathName: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function httpClient(rounds: number, tally: Tally): Promise<void> {
  const host = `127.0.0.1:${port}`;
  const auth = { host, authorization: `Bearer ${token}` };
  const cases: [string, () => Promise<number>, number][] = [
    ['page', () => get('/', auth), 200],
    ['cookie', () => get('/', { host, cookie: `changemap_token_${port}=${token}` }), 200],
    ['no token', () => get('/', { host }), 401],
    ['wrong token', () => get('/', { host, authorization: 'Bearer nope' }), 401],
    ['foreign host', () => get('/', { ...auth, host: 'evil.example' }), 403],
    ['traversal', () => get('/..%2f..%2fetc%2fpasswd', auth), 404],
    ['POST', () => get('/', auth, 'POST'), 405],
    ['socket without token', () => get('/api', { host, connection: 'Upgrade', upgrade: 'websocket' }), 401],
  ];
  for (let round = 0; round < rounds; round++) {
    const statuses = await Promise.all(cases.map(([, send]) => send()));
    statuses.forEach((status, i) => tally.check(cases[i][0], status === cases[i][2], status));
  }
}

async function load(wsClients: number, httpClients: number, rounds: number): Promise<Tally> {
  const tally = new Tally();
  await Promise.all([
    ...Array.from({ length: wsClients }, (_, i) => wsClient(i, rounds, tally)),
    ...Array.from({ length: httpClients }, () => httpClient(rounds, tally)),
  ]);
  return tally;
}

/** Measures once every socket has gone (each unsubscribes when its close is handled, which may trail the client's). */
async function settledMemory(): Promise<Memory> {
  for (let i = 0; i < 50; i++) {
    const memory = await measure();
    if (memory.subscribed === 0) return memory;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return measure();
}

describe('browser host soak', () => {
  it('answers every call of 50 + 50 concurrent clients rightly, keeps running, and returns to its memory', async () => {
    // Warm-up: code paths compiled, pools and caches filled; the baseline is taken after it.
    const warm = await load(10, 10, 2);
    expect(warm.wrong).toEqual([]);
    const baseline = await settledMemory();
    expect(baseline.subscribed).toBe(0);

    const started = Date.now();
    const tally = await load(WS_CLIENTS, HTTP_CLIENTS, ROUNDS);
    const seconds = (Date.now() - started) / 1000;
    expect(tally.wrong).toEqual([]);
    expect(tally.calls).toBeGreaterThan(5000);
    expect(child.exitCode).toBeNull();

    // Still serving, events included, after the load.
    const last = await Client.open();
    const event = new Promise((resolve) =>
      last.ws.on('message', (d) => String(d).includes('"event"') && resolve(d)),
    );
    await ask({ emit: true }, 'emitted');
    await event;
    expect((await last.call('app:info', {})).ok).toBe(true);
    const closed = last.closed();
    last.ws.close();
    await closed;

    const after = await settledMemory();
    expect(after.subscribed).toBe(0);
    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(
      `soak: ${tally.calls} calls in ${seconds.toFixed(1)} s; host heap ${mib(baseline.heapUsed)} -> ${mib(after.heapUsed)} MiB, ` +
        `array buffers ${mib(baseline.arrayBuffers)} -> ${mib(after.arrayBuffers)} MiB, RSS ${mib(baseline.rss)} -> ${mib(after.rss)} MiB`,
    );
    const heapAllowed =
      baseline.heapUsed +
      Math.max(MEMORY_TOLERANCE.heapBytes, baseline.heapUsed * MEMORY_TOLERANCE.heapShare);
    expect(after.heapUsed).toBeLessThanOrEqual(heapAllowed);
    expect(after.arrayBuffers).toBeLessThanOrEqual(baseline.arrayBuffers + MEMORY_TOLERANCE.arrayBufferBytes);
  }, 90_000);
});
