// The Electron fuses of electron-builder.yml: only keys this electron-builder knows, the values the security review
// asks for, and what electron-builder's own code writes into a binary with them. Electron's binary is not on this
// offline machine, so the fuses are flipped in a stub that carries the fuse wire as Electron lays it out.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
// js-yaml is what electron-builder itself reads its YAML config with; its types are not installed.
const yaml = require('js-yaml') as { load(text: string): unknown };
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
  electronFuses?: Record<string, boolean>;
};

// electron-builder's packager and the @electron/fuses it depends on (its own copy, which may differ from ours).
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
const { PlatformPackager } = builderRequire('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: object): Promise<object> } };
};
const fuses = builderRequire('@electron/fuses') as {
  flipFuses(binary: string, config: object): Promise<number>;
  getCurrentFuseWire(binary: string): Promise<Record<string, number>>;
  FuseV1Options: Record<string, number>;
};
/** A fuse's byte on the wire: ASCII '1' enabled, '0' disabled (@electron/fuses' FuseState). */
const ENABLED = '1'.charCodeAt(0);
const DISABLED = '0'.charCodeAt(0);
const schema = builderRequire('app-builder-lib/scheme.json') as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};

/** What the security review asks for (issue 12), by electron-builder's key. */
const WANTED = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
};

/** electron-builder's key -> @electron/fuses' option name. */
const OPTION: Record<keyof typeof WANTED, string> = {
  runAsNode: 'RunAsNode',
  enableCookieEncryption: 'EnableCookieEncryption',
  enableNodeOptionsEnvironmentVariable: 'EnableNodeOptionsEnvironmentVariable',
  enableNodeCliInspectArguments: 'EnableNodeCliInspectArguments',
  enableEmbeddedAsarIntegrityValidation: 'EnableEmbeddedAsarIntegrityValidation',
  onlyLoadAppFromAsar: 'OnlyLoadAppFromAsar',
  grantFileProtocolExtraPrivileges: 'GrantFileProtocolExtraPrivileges',
};

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's shipped fuse wire (version 1, 9 fuses) with its defaults: '1' on, '0' off, in FuseV1Options order. */
const ELECTRON_DEFAULT_WIRE = '101100011';

const dir = mkdtempSync(path.join(tmpdir(), 'cm-fuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stubElectronBinary(): string {
  const file = path.join(dir, 'electron');
  const wire = Buffer.from([1, ELECTRON_DEFAULT_WIRE.length, ...Buffer.from(ELECTRON_DEFAULT_WIRE)]);
  writeFileSync(
    file,
    Buffer.concat([Buffer.alloc(4096, 0xcc), Buffer.from(SENTINEL), wire, Buffer.alloc(4096, 0xcc)]),
  );
  return file;
}

describe('Electron fuses in electron-builder.yml', () => {
  it('names only fuses this electron-builder knows, with the values the security review asks for', () => {
    const configured = config.electronFuses ?? {};
    const known = Object.keys(schema.definitions.FuseOptionsV1.properties);
    for (const key of Object.keys(configured)) expect(known).toContain(key);
    expect(configured).toEqual(WANTED);
  });

  it("are written into the binary by electron-builder's own fuse code", async () => {
    const binary = stubElectronBinary();
    const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call(null, config.electronFuses!);
    expect(await fuses.flipFuses(binary, fuseConfig)).toBe(1);
    const wire = await fuses.getCurrentFuseWire(binary);
    for (const [key, on] of Object.entries(WANTED)) {
      const state = wire[fuses.FuseV1Options[OPTION[key as keyof typeof WANTED]]];
      expect({ key, state }).toEqual({ key, state: on ? ENABLED : DISABLED });
    }
    // Fuses the config leaves alone keep Electron's defaults (a V8 snapshot per process: off).
    expect(wire[fuses.FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(DISABLED);
  });
});
