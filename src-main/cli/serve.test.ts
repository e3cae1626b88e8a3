// `changemap serve` as a user starts it: the URL it prints carries the token, so opening it works (issue 10 item 4).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_BIN as bin } from './testing/cliChild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-serve-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts `changemap serve` over a static folder of its own; resolves with the child and the URL it prints. */
function startServe(name: string, ...flags: string[]) {
  const staticRoot = path.join(dir, `renderer-${name}`);
  fs.mkdirSync(staticRoot);
  fs.writeFileSync(path.join(staticRoot, 'index.html'), '<!doctype html><title>ChangeMap</title>');
  const child = spawn(process.execPath, [bin, 'serve', '--static', staticRoot, ...flags], {
    env: { ...process.env, CHANGEMAP_USER_DATA: path.join(dir, `user-${name}`) },
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ChangeMap is running at (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  // A child whose URL never comes is still stopped by the caller's finally.
  url.catch(() => undefined);
  return { child, url };
}

describe('changemap serve', () => {
  it('prints a loopback URL with its token that opens the app, where the bare URL is refused', async () => {
    const serve = startServe('token', '--port', '0');
    const { child } = serve;
    try {
      const url = await serve.url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{16,}$/);
      const opened = await fetch(url, { redirect: 'manual' });
      expect([200, 302, 303]).toContain(opened.status);
      const bare = await fetch(new URL('/', url));
      expect(bare.status).toBe(401);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
  it('lists folders only under the home folder and each --root', async () => {
    const shown = path.join(dir, 'shown');
    const hidden = path.join(dir, 'hidden');
    fs.mkdirSync(shown);
    fs.mkdirSync(hidden);
    const serve = startServe('roots', '--root', shown);
    const { child } = serve;
    try {
      const url = new URL(await serve.url);
      const ws = new WebSocket(`ws://${url.host}/api`, {
        headers: { authorization: `Bearer ${url.searchParams.get('token')}` },
      });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const list = (seq: number, dir: string) =>
        new Promise<{ ok: boolean; value?: { dir: string }; error?: { code: string } }>((resolve) => {
          ws.on('message', (m) => {
            const reply = JSON.parse(String(m)) as { seq: number };
            if (reply.seq === seq) resolve(reply as never);
          });
          ws.send(JSON.stringify({ seq, type: 'fs:list', payload: { dir } }));
        });
      expect(await list(1, shown)).toMatchObject({ ok: true, value: { dir: shown } });
      expect(await list(2, os.homedir())).toMatchObject({ ok: true, value: { dir: os.homedir() } });
      expect(await list(3, hidden)).toMatchObject({ ok: false, error: { code: 'FS_OUTSIDE_ROOTS' } });
      ws.close();
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
