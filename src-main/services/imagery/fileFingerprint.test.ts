import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileFingerprint } from './fileFingerprint';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('fileFingerprint', () => {
  it('changes when a file is rewritten with another size or time, and says when it is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-fingerprint-'));
    dirs.push(dir);
    const file = path.join(dir, 'a.tif');
    fs.writeFileSync(file, 'abc');
    fs.utimesSync(file, 1_000, 1_000);
    const first = await fileFingerprint(file);
    expect(first).toBe(`${file}:3:1000000`);
    fs.writeFileSync(file, 'abcd');
    fs.utimesSync(file, 1_000, 1_000);
    expect(await fileFingerprint(file)).not.toBe(first);
    fs.rmSync(file);
    expect(await fileFingerprint(file)).toBe(`${file}:missing`);
  });

  it('names a relative path by its absolute path, and a URL by itself', async () => {
    expect(await fileFingerprint('no/such.tif')).toBe(`${path.resolve('no/such.tif')}:missing`);
    expect(await fileFingerprint('https://example.org/a.tif')).toBe('https://example.org/a.tif');
  });
});
