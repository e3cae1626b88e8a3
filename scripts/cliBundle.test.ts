// `changemap` starts from the built bundle (scripts/build-cli.mjs, out/cli) when it is up to date, and from the
// TypeScript sources otherwise (a fresh clone, or sources edited since the build): never a stale bundle.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types (bin/ holds the launcher only)
import { chooseCliEntry } from '../bin/cliEntry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const temp = mkdtempSync(path.join(os.tmpdir(), 'cm-cli-bundle-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A checkout whose sources, if ever run, say so: only the bundle can print the version. */
function fakeCheckout(name: string): string {
  const dir = path.join(temp, name);
  mkdirSync(path.join(dir, 'src-main', 'cli'), { recursive: true });
  writeFileSync(
    path.join(dir, 'src-main', 'cli', 'start.ts'),
    "export async function main() { console.log('ran the sources'); return 0; }\n",
  );
  cpSync(path.join(root, 'bin'), path.join(dir, 'bin'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

const age = (file: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, t, t);
};

describe('the changemap launcher', () => {
  it('runs the bundle when it is newer than every source, else the sources', () => {
    const dir = fakeCheckout('choice');
    const source = path.join(dir, 'src-main', 'cli', 'start.ts');
    expect(chooseCliEntry(dir)).toMatchObject({ kind: 'source', reason: expect.stringMatching(/no bundle/) });
    mkdirSync(path.join(dir, 'out', 'cli'), { recursive: true });
    writeFileSync(path.join(dir, 'out', 'cli', 'changemap.js'), '');
    age(source, 60);
    expect(chooseCliEntry(dir)).toEqual({
      kind: 'bundle',
      entry: path.join(dir, 'out', 'cli', 'changemap.js'),
      workersDir: path.join(dir, 'out', 'cli'),
    });
    expect(chooseCliEntry(dir, { CHANGEMAP_FROM_SOURCE: '1' })).toMatchObject({ kind: 'source' });
    age(source, -60);
    expect(chooseCliEntry(dir)).toMatchObject({ kind: 'source', reason: expect.stringMatching(/newer/) });
  });

  it('bin/changemap.js prints the version from the built bundle, and falls back to edited sources', () => {
    const dir = fakeCheckout('built');
    age(path.join(dir, 'src-main', 'cli', 'start.ts'), 60);
    const build = spawnSync(
      process.execPath,
      [path.join(root, 'scripts', 'build-cli.mjs'), '--outdir', path.join(dir, 'out', 'cli')],
      { encoding: 'utf8' },
    );
    expect(build.status, build.stderr).toBe(0);
    const bin = path.join(dir, 'bin', 'changemap.js');
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
    );
    age(path.join(dir, 'src-main', 'cli', 'start.ts'), -60);
    const edited = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(edited.stdout.trim()).toBe('ran the sources');
  });
});
