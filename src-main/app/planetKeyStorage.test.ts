// The desktop app's Planet key with a stand-in for Electron's safeStorage (Electron's binary is not on this
// machine): encrypted at rest, a Linux without a keyring counts as no secure storage, main tells the services
// process, and a restarted services process learns the key from its environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'planet-app-'));
const safe = vi.hoisted(() => ({ available: true, backend: 'gnome_libsecret' }));

vi.mock('electron', () => ({
  app: { getPath: () => userData },
  safeStorage: {
    isEncryptionAvailable: () => safe.available,
    getSelectedStorageBackend: () => safe.backend,
    encryptString: (plain: string) => Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`),
    decryptString: (encrypted: Buffer) => Buffer.from(encrypted.toString().slice(4), 'hex').toString(),
  },
}));

import { PLANET_KEY_FILE } from '../services/planet/planetKeyStore';
import { appPlanetKeys, planetKeyEnvironment, planetKeyHandlers } from './planetKeyStorage';

const KEY = 'PLAK0123456789abcdef0123456789ab';
afterAll(() => fs.rmSync(userData, { recursive: true, force: true }));
beforeEach(() => {
  safe.available = true;
  safe.backend = 'gnome_libsecret';
  fs.rmSync(path.join(userData, PLANET_KEY_FILE), { force: true });
});

describe('the desktop app keeps the Planet key with safeStorage', () => {
  it('stores it encrypted, tells the services, and answers only whether a key is set', async () => {
    const forwarded: { channel: string; payload: object }[] = [];
    const keys = appPlanetKeys();
    const handlers = planetKeyHandlers(keys, async (channel, payload) => {
      forwarded.push({ channel, payload });
      return { ok: true, value: null };
    });
    const status = await handlers['planet:setKey']({ key: KEY });
    expect(status).toMatchObject({ set: true, storage: 'os-secure-storage' });
    expect(JSON.stringify(status)).not.toContain(KEY);
    expect(fs.readFileSync(path.join(userData, PLANET_KEY_FILE)).toString()).not.toContain(KEY);
    expect(forwarded).toEqual([{ channel: 'planet:setKey', payload: { key: KEY } }]);
    // The next start of the app, and of its services process.
    expect(planetKeyEnvironment(appPlanetKeys())).toEqual({ PL_API_KEY: KEY });
    expect(await handlers['planet:clearKey']({})).toMatchObject({ set: false });
    expect(forwarded.at(-1)).toEqual({ channel: 'planet:clearKey', payload: {} });
    expect(planetKeyEnvironment(appPlanetKeys())).toEqual({ PL_API_KEY: '' });
  });

  it("Linux's fallback without a keyring (basic_text) is no secure storage: the key is kept for the session only", async () => {
    safe.backend = 'basic_text';
    const original = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { value: 'linux' });
    try {
      const keys = appPlanetKeys();
      const handlers = planetKeyHandlers(keys, async () => ({ ok: true, value: null }));
      expect(await handlers['planet:setKey']({ key: KEY })).toMatchObject({ set: true, storage: 'session' });
      expect(fs.existsSync(path.join(userData, PLANET_KEY_FILE))).toBe(false);
    } finally {
      Object.defineProperty(process, 'platform', original);
    }
  });
});
