// The API does only what the UI needs, through the real browser host (WebSocket with the token) and through the
// Electron services process's transport (ipc/rpc.ts over a message port, as workers/services.utility.ts serves it):
// both must give the same answers. Listing stays under the roots chosen at start; an export replaces only the file
// the user confirmed, of a kind ChangeMap writes, never the project or its imagery; an address that cannot be
// read gets one answer whatever the network said, and failures are rate-limited.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChangeMapError } from '../../core/errors';
import type { Channel } from '../../ipc/contract';
import { apiRpcHandler } from '../../ipc/dispatch';
import { RpcClient, serveRpc, type RpcPort } from '../../ipc/rpc';
import {
  createTestProject,
  stampAsProject,
  writeEarlierExport,
  type TestProject,
} from '../exports/exportTestProject';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import {
  IMAGERY_URL_UNREADABLE,
  REMOTE_FAILURES_PER_WINDOW,
  remoteFailures,
  unreadableAddress,
} from '../imagery/remoteAddress';
import { projectDataDir } from '../project/projectStore';
import { AppSession } from '../session';
import { startBrowserHost, type BrowserHost } from './server';

type Reply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
type Call = (channel: Channel, payload: object) => Promise<Reply>;

const silent = { error: () => undefined, warn: () => undefined };
const TOKEN = 'scope-token';

let tp: TestProject;
let inside: string;
let outside: string;
let imageryFile: string;
let session: AppSession;
let host: BrowserHost;
let socket: WebSocket;
let electronClient: RpcClient;
const ports: MessagePort[] = [];

/** One call over the browser host's WebSocket. */
let seq = 0;
const viaHost: Call = (channel, payload) =>
  new Promise((resolve) => {
    const id = ++seq;
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as { seq?: number } & Reply;
      if (message.seq !== id) return;
      socket.off('message', onMessage);
      resolve(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error });
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ seq: id, type: channel, payload }));
  });

/** One call as Electron's main process makes it to the services process. */
const viaElectron: Call = (channel, payload) =>
  electronClient.call(channel, { payload }).then(
    (value): Reply => ({ ok: true, value }),
    (error: unknown): Reply => ({
      ok: false,
      error: isChangeMapError(error)
        ? { code: error.code, message: error.message }
        : { code: 'THROWN', message: String(error) },
    }),
  );

const TRANSPORTS: [string, Call][] = [
  ['browser host', viaHost],
  ['Electron services process', viaElectron],
];

function portOf(port: MessagePort): RpcPort {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}

beforeAll(async () => {
  tp = createTestProject();
  inside = path.join(tp.dir, 'inside');
  outside = path.join(tp.dir, 'outside');
  fs.mkdirSync(path.join(inside, 'sub'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.gpkg'), 'not for listing');
  fs.symlinkSync(outside, path.join(inside, 'link'));
  // Imagery the project uses, which no export may replace.
  imageryFile = path.join(tp.dir, 'before.tif');
  const grid = utmGrid(64, 64);
  await writeFixture(imageryFile, grid, 3, sceneData(grid, 3, 'uint8'));
  const { id: set } = tp.db.prepare(`SELECT id FROM cm_imagery_sets WHERE role = 'before'`).get() as {
    id: number;
  };
  tp.db
    .prepare('INSERT INTO cm_imagery_files (set_id, position, uri) VALUES (?, 0, ?)')
    .run(set, imageryFile);
  stampAsProject(tp, 'Scope');
  tp.db.close();

  session = new AppSession({
    userDataDir: path.join(tp.dir, 'user'),
    version: 'test',
    shell: { transport: 'browser' },
    browseRoots: [inside, tp.dir],
  });
  session.openProject(tp.file);
  const www = path.join(tp.dir, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'index.html'), '<h1>ChangeMap</h1>');
  host = await startBrowserHost({
    handlers: session.handlers(),
    events: session.events,
    staticRoot: www,
    token: TOKEN,
    logger: silent,
  });
  socket = await new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
  const channel = new MessageChannel();
  ports.push(channel.port1, channel.port2);
  serveRpc(portOf(channel.port2), apiRpcHandler(session.handlers(), silent), { failureCode: 'INTERNAL' });
  electronClient = new RpcClient(portOf(channel.port1));
});

afterAll(async () => {
  socket?.close();
  await host?.close();
  for (const port of ports) port.close();
  session?.dispose();
  fs.rmSync(tp.dir, { recursive: true, force: true });
});

/** Runs the same call through both transports and expects the same answer from each. */
async function bothSay(channel: Channel, payload: object): Promise<Reply> {
  const [fromHost, fromElectron] = [await viaHost(channel, payload), await viaElectron(channel, payload)];
  expect(fromElectron).toEqual(fromHost);
  return fromHost;
}

describe('fs:list stays under the roots chosen at start', () => {
  // A second root (the project's folder) is given above; the first one is the default folder.
  it('lists the first root by default, and a root has no parent to go up to', async () => {
    const listing = await bothSay('fs:list', {});
    expect(listing).toMatchObject({ ok: true, value: { dir: inside, parent: null } });
    const sub = await bothSay('fs:list', { dir: path.join(inside, 'sub') });
    expect(sub).toMatchObject({ ok: true, value: { dir: path.join(inside, 'sub'), parent: inside } });
  });

  it('refuses folders outside the roots, by `..` or through a symlink, without saying whether they exist', async () => {
    const session2 = new AppSession({
      userDataDir: path.join(tp.dir, 'user2'),
      version: 'test',
      shell: { transport: 'in-process' },
      browseRoots: [inside],
    });
    try {
      for (const dir of [
        outside,
        path.join(inside, '..', 'outside'),
        path.join(inside, 'link'),
        path.join(inside, 'link', '..', '..'),
        '/etc',
        path.join(tp.dir, 'no such folder'),
      ]) {
        expect(() => session2.files.list(dir, undefined), dir).toThrow(
          expect.objectContaining({ code: 'FS_OUTSIDE_ROOTS' }),
        );
      }
      expect(session2.files.list(path.join(inside, 'sub', '..'), undefined).dir).toBe(inside);
    } finally {
      session2.dispose();
    }
  });

  it('answers the same through both transports', async () => {
    // The session above has the project's folder as a root too; its parent is outside.
    for (const dir of [path.dirname(tp.dir), '/etc', path.join(tp.dir, '..', '..')]) {
      const reply = await bothSay('fs:list', { dir });
      expect(reply).toMatchObject({ ok: false, error: { code: 'FS_OUTSIDE_ROOTS' } });
    }
  });
});

describe('an export replaces only the file the user confirmed, of a kind ChangeMap writes', () => {
  const exportTo = (call: Call, out: string, extra: object = {}, format = 'geojson') =>
    call('export:regions', { runId: tp.runId, format, out, ...extra });

  for (const [name, call] of TRANSPORTS) {
    it(`${name}: asks first, then replaces the confirmed path only`, async () => {
      const out = path.join(tp.dir, `${name.replace(/\W/g, '-')}.geojson`);
      expect(await exportTo(call, out)).toMatchObject({ ok: true });
      expect(await exportTo(call, out)).toMatchObject({ ok: false, error: { code: 'EXPORT_EXISTS' } });
      // `true` no longer means "replace whatever is there".
      expect(await exportTo(call, out, { overwrite: true })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
      const other = path.join(tp.dir, 'other.geojson');
      expect(await exportTo(call, out, { overwrite: other })).toMatchObject({
        ok: false,
        error: { code: 'EXPORT_CONFIRMATION_MISMATCH' },
      });
      expect(await exportTo(call, out, { overwrite: out })).toMatchObject({ ok: true, value: { path: out } });
    });
  }

  it('never replaces a file that is not an export kind ChangeMap writes, even confirmed', async () => {
    const cases: [string, string, Buffer | string][] = [
      ['notes.geojson', 'geojson', 'my notes, not GeoJSON'],
      ['profile', 'csv', 'export PATH=/usr/bin\n'],
      ['archive.zip', 'shapefile', fs.readFileSync(imageryFile)],
      ['table.csv', 'csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0])],
      ['other.gpkg', 'gpkg', 'SQLite format 3\0 but no GeoPackage'],
    ];
    for (const [file, format, bytes] of cases) {
      const out = path.join(tp.dir, file);
      fs.writeFileSync(out, bytes);
      const reply = await bothSay('export:regions', { runId: tp.runId, format, out, overwrite: out });
      expect(reply, file).toMatchObject({ ok: false, error: { code: 'EXPORT_NOT_REPLACEABLE' } });
      expect(fs.readFileSync(out), file).toEqual(Buffer.from(bytes));
    }
  });

  it('replaces an earlier export of each kind when confirmed', async () => {
    for (const [file, format] of [
      ['e.geojson', 'geojson'],
      ['e.zip', 'shapefile'],
      ['e.gpkg', 'gpkg'],
      ['e.csv', 'csv'],
    ] as const) {
      const out = path.join(tp.dir, file);
      const earlier = writeEarlierExport(out, format);
      const reply = await viaHost('export:regions', { runId: tp.runId, format, out, overwrite: out });
      expect(reply, file).toMatchObject({ ok: true });
      expect(fs.readFileSync(out).equals(earlier), file).toBe(false);
    }
  });

  it('never writes the project, another project, its data folder or the imagery it uses', async () => {
    const otherProject = path.join(tp.dir, 'copy.gpkg');
    fs.copyFileSync(tp.file, otherProject);
    const dataDir = projectDataDir(tp.file);
    fs.mkdirSync(dataDir, { recursive: true });
    for (const [out, format] of [
      [tp.file, 'gpkg'],
      [otherProject, 'gpkg'],
      [path.join(dataDir, 'regions.geojson'), 'geojson'],
      [imageryFile, 'geojson'],
    ]) {
      const before = fs.existsSync(out) ? fs.readFileSync(out) : null;
      for (const extra of [{}, { overwrite: out }]) {
        const reply = await bothSay('export:regions', { runId: tp.runId, format, out, ...extra });
        expect(reply, out).toMatchObject({ ok: false, error: { code: 'EXPORT_PROTECTED' } });
      }
      expect(fs.existsSync(out) ? fs.readFileSync(out) : null).toEqual(before);
    }
  });

  it("keeps a file at the CSV's .csvt name that is not a CSVT, and writes no CSV either", async () => {
    const out = path.join(tp.dir, 'keep.csv');
    fs.writeFileSync(path.join(tp.dir, 'keep.csvt'), 'a user file of the same name\nwith two lines\n');
    const reply = await bothSay('export:regions', { runId: tp.runId, format: 'csv', out });
    expect(reply).toMatchObject({ ok: false, error: { code: 'EXPORT_NOT_REPLACEABLE' } });
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("the other writers (reports, boundary summaries, accuracy samples) keep the exports' rule", () => {
  it('a yes to overwrite replaces neither a file of another kind nor the project', async () => {
    const notes = path.join(tp.dir, 'notes.html');
    fs.writeFileSync(notes, 'my notes, not a report');
    const table = path.join(tp.dir, 'binary.csv');
    fs.writeFileSync(table, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2]));
    const cases: [Channel, object, string, string | null][] = [
      ['report:make', { runId: tp.runId, out: notes, overwrite: true }, 'EXPORT_NOT_REPLACEABLE', notes],
      [
        'boundaries:exportSummary',
        { layerId: 1, runId: tp.runId, format: 'csv', out: table, overwrite: true },
        'EXPORT_NOT_REPLACEABLE',
        table,
      ],
      [
        'accuracy:export',
        { sampleId: 1, format: 'gpkg', out: tp.file, overwrite: true },
        'EXPORT_PROTECTED',
        null,
      ],
    ];
    for (const [channel, payload, code, file] of cases) {
      const before = file ? fs.readFileSync(file) : null;
      const reply = await bothSay(channel, payload);
      expect(reply, channel).toMatchObject({ ok: false, error: { code } });
      if (file) expect(fs.readFileSync(file)).toEqual(before);
    }
  });
});

describe('imagery addresses: one answer for every failure, http(s) only, rate-limited', () => {
  let server: http.Server;
  let garbage: net.Server;
  let base = '';
  let garbageUrl = '';
  let requests = 0;

  beforeAll(async () => {
    remoteFailures.reset();
    server = http.createServer((req, res) => {
      requests++;
      if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      if (req.url === '/forbidden') return void res.writeHead(403).end();
      if (req.url === '/broken') return void res.writeHead(500).end('stack trace');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    // A service that is not HTTP at all (an SSH or database port).
    garbage = net.createServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'));
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    garbageUrl = `http://127.0.0.1:${(garbage.address() as net.AddressInfo).port}/x.tif`;
  });
  afterAll(() => {
    server.close();
    garbage.close();
    remoteFailures.reset();
  });

  const setFiles = (call: Call, uri: string) => call('imagery:setFiles', { role: 'after', uris: [uri] });

  it('refuses schemes other than http(s) by name, without reading anything', async () => {
    for (const uri of ['file:///etc/passwd', 'ftp://127.0.0.1/x.tif', 'gopher://127.0.0.1:25/x']) {
      const reply = await bothSay('imagery:setFiles', { role: 'after', uris: [uri] });
      expect(reply, uri).toMatchObject({ ok: false, error: { code: 'IMAGERY_URL_SCHEME' } });
    }
    // A local file name may hold a colon: it is a path, not an address.
    const local = await bothSay('imagery:setFiles', { role: 'after', uris: ['scene:2020-06-01.tif'] });
    expect(local).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
  });

  it('a 404, 403, 500, an HTML page, a closed port and a non-HTTP service all read the same', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedUrl = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}/x.tif`;
    await new Promise((r) => closed.close(r));
    const uris = [
      `${base}/missing.tif`,
      `${base}/forbidden`,
      `${base}/broken`,
      `${base}/html`,
      closedUrl,
      garbageUrl,
    ];
    // Concurrently: each failure answers no sooner than the floor, and they may wait it out together.
    const replies = await Promise.all(uris.map((uri, i) => setFiles(TRANSPORTS[i % 2][1], uri)));
    replies.forEach((reply, i) => {
      expect(reply, uris[i]).toEqual({
        ok: false,
        error: { code: IMAGERY_URL_UNREADABLE, message: unreadableAddress(uris[i], null).message },
      });
    });
  });

  it('stops trying addresses after too many failures in a minute, without touching the network', async () => {
    const failuresSoFar = 6; // the test above
    const more = Array.from(
      { length: REMOTE_FAILURES_PER_WINDOW - failuresSoFar },
      (_, i) => `${base}/m${i}.tif`,
    );
    await Promise.all(more.map((uri) => setFiles(viaHost, uri)));
    const seen = requests;
    for (const [, call] of TRANSPORTS) {
      const reply = await setFiles(call, `${base}/one-more.tif`);
      expect(reply).toMatchObject({ ok: false, error: { code: 'IMAGERY_URL_RATE_LIMITED' } });
    }
    expect(requests).toBe(seen);
  });
});
