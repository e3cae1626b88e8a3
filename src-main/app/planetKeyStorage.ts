// The desktop app's Planet key: kept by main (Electron's safeStorage exists only there), encrypted with the
// operating system's secure storage (macOS Keychain, Windows DPAPI, the Secret Service keyring or KWallet on Linux)
// in the user data folder. The services process, which sends the requests, learns the key from main: at start
// (PL_API_KEY in its environment) and whenever the user sets or forgets it.
import { app, safeStorage } from 'electron';
import path from 'node:path';
import type { ApiHandlers, ParsedRequest } from '../ipc/contract';
import type { Result } from '../ipc/envelope';
import { PLANET_KEY_FILE, PlanetKeyStore, type SecretCipher } from '../services/planet/planetKeyStore';

/**
 * safeStorage as the store's cipher. On Linux without a keyring Electron falls back to a hard-coded password
 * ("basic_text"), which protects nothing: that counts as no secure storage, and keys are kept for the session only.
 */
export function electronSecretCipher(): SecretCipher {
  return {
    isEncryptionAvailable: () =>
      safeStorage.isEncryptionAvailable() &&
      !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'),
    encryptString: (plainText) => safeStorage.encryptString(plainText),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
  };
}

export function appPlanetKeys(): PlanetKeyStore {
  return new PlanetKeyStore({
    file: path.join(app.getPath('userData'), PLANET_KEY_FILE),
    cipher: electronSecretCipher(),
  });
}

/** Main's handlers of the planet: channels; `forward` tells the services process (which keeps it in memory). */
export function planetKeyHandlers(
  keys: PlanetKeyStore,
  forward: (channel: 'planet:setKey' | 'planet:clearKey', payload: object) => Promise<Result<unknown>>,
): Pick<ApiHandlers, 'planet:status' | 'planet:setKey' | 'planet:clearKey'> {
  return {
    'planet:status': () => keys.status(),
    'planet:setKey': async ({ key }: ParsedRequest<'planet:setKey'>) => {
      const status = keys.set(key);
      await forward('planet:setKey', { key });
      return status;
    },
    'planet:clearKey': async () => {
      const status = keys.clear();
      await forward('planet:clearKey', {});
      return status;
    },
  };
}

/** The services process's environment entry for the key (empty: none; the services then use none). */
export function planetKeyEnvironment(keys: PlanetKeyStore): Record<string, string> {
  return { PL_API_KEY: keys.key() ?? '' };
}
