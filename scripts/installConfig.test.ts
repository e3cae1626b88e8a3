// A fresh install prints no warning the project could avoid, and package.json's engines tell the truth.
// `npm ci` itself is too slow for a unit test; these check what it reads: .npmrc, package.json and the lock.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
// semver is npm's own version-range logic; its types are not installed, so the two calls used are typed here.
const semver = require('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
  optional?: boolean;
  os?: string[];
}
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { node: string; npm: string };
  allowScripts: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const lockedPackages = Object.entries(lock.packages)
  .filter(([where]) => where !== '')
  .map(([where, locked]) => ({ name: where.slice(where.lastIndexOf('node_modules/') + 13), locked }));

describe('npm install configuration', () => {
  it('npm reads the project config without an unknown-config warning', () => {
    const npm = spawnSync('npm', ['config', 'list'], { cwd: root, encoding: 'utf8' });
    expect(npm.status).toBe(0);
    expect(npm.stdout).toContain('"project" config from');
    expect(npm.stderr).not.toMatch(/warn/i);
  });

  it("engines.node's lowest version satisfies every locked package that states engines", () => {
    const lowest = semver.minVersion(pkg.engines.node)?.version;
    expect(lowest).toBeDefined();
    const unmet = lockedPackages.filter(({ locked }) => {
      const wanted = Array.isArray(locked.engines) ? undefined : locked.engines?.node;
      return wanted !== undefined && !semver.satisfies(lowest!, wanted);
    });
    expect(unmet.map(({ name, locked }) => `${name}@${locked.version}`)).toEqual([]);
  });

  it('allowScripts decides on every install script, and skips the CUDA download of onnxruntime-node', () => {
    const withScripts = new Set(
      lockedPackages.filter(({ locked }) => locked.hasInstallScript).map((p) => p.name),
    );
    expect([...withScripts].filter((name) => !(name in pkg.allowScripts))).toEqual([]);
    // Its install script only fetches CUDA libraries (hundreds of MB; impossible offline); the CPU build is bundled.
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
  });

  it('the README states the engines package.json declares', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const node = semver.minVersion(pkg.engines.node)!.version.replace(/\.0$/, '');
    const npm = semver.minVersion(pkg.engines.npm)!.version.replace(/\.0$/, '');
    expect(readme).toContain(`Node >= ${node}`);
    expect(readme).toContain(`npm >= ${npm}`);
  });
});
