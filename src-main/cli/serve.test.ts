// `changemap serve` as a user starts it: the URL it prints carries the token, so opening it works (issue 10 item 4).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/changemap.js', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-serve-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('changemap serve', () => {
  it('prints a loopback URL with its token that opens the app, where the bare URL is refused', async () => {
    const staticRoot = path.join(dir, 'renderer');
    fs.mkdirSync(staticRoot);
    fs.writeFileSync(path.join(staticRoot, 'index.html'), '<!doctype html><title>ChangeMap</title>');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--static', staticRoot], {
      env: { ...process.env, CHANGEMAP_USER_DATA: path.join(dir, 'user') },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /ChangeMap is running at (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
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
});
