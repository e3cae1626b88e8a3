import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planetSetKeyRequest } from '../../ipc/planetSchemas';
import { PLANET_KEY_FILE, PlanetKeyStore, type SecretCipher } from './planetKeyStore';

/** Stands in for Electron's safeStorage: a reversible scramble, and a switch for "no secure storage here". */
function fakeSafeStorage(available = true): SecretCipher & { available: boolean } {
  return {
    available,
    isEncryptionAvailable() {
      return this.available;
    },
    encryptString: (plain) => Buffer.from(`enc:${Buffer.from(plain).reverse().toString('base64')}`),
    decryptString(encrypted) {
      const text = encrypted.toString();
      if (!text.startsWith('enc:'))
        throw new Error('Error while decrypting the ciphertext provided to safeStorage');
      return Buffer.from(text.slice(4), 'base64').reverse().toString();
    },
  };
}

const KEY = 'PLAK0123456789abcdef0123456789ab';
const dirs: string[] = [];
function userData(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'planet-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PlanetKeyStore', () => {
  it('keeps the key encrypted by the secure storage, readable by a later session, never in plain text', () => {
    const dir = userData();
    const file = path.join(dir, PLANET_KEY_FILE);
    const store = new PlanetKeyStore({ file, cipher: fakeSafeStorage(), env: {} });
    expect(store.status()).toMatchObject({ set: false, storage: null });
    expect(store.set(KEY)).toMatchObject({ set: true, storage: 'os-secure-storage' });
    expect(fs.readFileSync(file).toString()).not.toContain(KEY);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    // The app restarts.
    const later = new PlanetKeyStore({ file, cipher: fakeSafeStorage(), env: {} });
    expect(later.key()).toBe(KEY);
    expect(later.status()).toMatchObject({ set: true, storage: 'os-secure-storage' });
    // The status never carries the key.
    expect(JSON.stringify(later.status())).not.toContain(KEY);
    expect(later.clear()).toMatchObject({ set: false });
    expect(fs.existsSync(file)).toBe(false);
    expect(new PlanetKeyStore({ file, cipher: fakeSafeStorage(), env: {} }).key()).toBeNull();
  });

  it('without secure storage keeps a key for the session only and writes nothing', () => {
    const dir = userData();
    const file = path.join(dir, PLANET_KEY_FILE);
    const store = new PlanetKeyStore({ file, cipher: fakeSafeStorage(false), env: {} });
    expect(store.status().note).toMatch(/kept in memory until ChangeMap stops/);
    expect(store.set(KEY)).toMatchObject({ set: true, storage: 'session' });
    expect(store.key()).toBe(KEY);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(new PlanetKeyStore({ file, cipher: fakeSafeStorage(false), env: {} }).key()).toBeNull();
  });

  it('uses PL_API_KEY when no key was entered; an entered key wins; forgetting stops using both', () => {
    const store = new PlanetKeyStore({ env: { PL_API_KEY: ` ${KEY}\n` } });
    expect(store.key()).toBe(KEY);
    expect(store.status()).toMatchObject({ set: true, storage: 'environment' });
    store.set('PLAKanother-key-0123456789');
    expect(store.key()).toBe('PLAKanother-key-0123456789');
    expect(store.clear()).toMatchObject({ set: false, storage: null });
    expect(store.key()).toBeNull();
  });

  it('a key file encrypted elsewhere (another account, a new keyring) counts as no key', () => {
    const file = path.join(userData(), PLANET_KEY_FILE);
    fs.writeFileSync(file, 'garbage');
    const store = new PlanetKeyStore({ file, cipher: fakeSafeStorage(), env: {} });
    expect(store.key()).toBeNull();
    store.set(KEY);
    expect(store.key()).toBe(KEY);
  });

  it('the contract refuses what cannot be a key, in one sentence', () => {
    expect(planetSetKeyRequest.safeParse({ key: 'short' }).error?.issues[0].message).toMatch(/at least 16/);
    expect(planetSetKeyRequest.safeParse({ key: 'PLAK 0123456789 abcdef' }).success).toBe(false);
    expect(planetSetKeyRequest.safeParse({ key: `  ${KEY}  ` }).data?.key).toBe(KEY);
    expect(planetSetKeyRequest.safeParse({ key: KEY, extra: 1 }).success).toBe(false);
  });
});
