// The user's Planet API key: kept encrypted by the operating system's secure storage where the host has one (the
// desktop app hands in Electron's safeStorage as the cipher), else in memory for the session only; PL_API_KEY in
// the environment (Planet's own convention) is used when no key was entered. Never written into a project, and never
// handed back: callers learn only whether a key is set and where it is kept.
import fs from 'node:fs';
import path from 'node:path';
import type { PlanetKeyStatus } from '../../ipc/planetSchemas';

/** What the store needs of an encryption service: Electron's safeStorage has exactly this shape. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface PlanetKeyStoreOptions {
  /** Where the encrypted key is kept (in the user data folder); none: nothing is written. */
  file?: string;
  /** The operating system's secure storage; none or unavailable: keys entered are kept for the session only. */
  cipher?: SecretCipher | null;
  env?: NodeJS.ProcessEnv;
}

/** The key file's name in the user data folder. */
export const PLANET_KEY_FILE = 'planet-api-key.bin';

const NOTES = {
  secure:
    "Kept encrypted by the operating system's secure storage in ChangeMap's user data folder, never in a project.",
  session:
    'No secure storage here: the key is kept in memory until ChangeMap stops; set PL_API_KEY to avoid entering it again.',
  environment: 'The key comes from the PL_API_KEY environment variable.',
};

export class PlanetKeyStore {
  private sessionKey: string | null = null;
  /** Forgetting the key also stops using PL_API_KEY until a key is entered (or the host restarts). */
  private environmentForgotten = false;

  constructor(private readonly options: PlanetKeyStoreOptions = {}) {}

  /** Whether keys entered are kept encrypted on disk (else for the session only). */
  get persists(): boolean {
    return Boolean(this.options.file && this.options.cipher?.isEncryptionAvailable());
  }

  /** The key to send to Planet: the one entered, the stored one, else PL_API_KEY; null when none. */
  key(): string | null {
    return this.sessionKey ?? this.storedKey() ?? this.environmentKey();
  }

  status(): PlanetKeyStatus {
    if (this.sessionKey) return { set: true, storage: 'session', note: NOTES.session };
    if (this.storedKey()) return { set: true, storage: 'os-secure-storage', note: NOTES.secure };
    if (this.environmentKey()) return { set: true, storage: 'environment', note: NOTES.environment };
    return { set: false, storage: null, note: this.persists ? NOTES.secure : NOTES.session };
  }

  /** Keeps `key` (already validated by the contract): encrypted where possible, else in memory. */
  set(key: string): PlanetKeyStatus {
    this.environmentForgotten = false;
    if (this.persists) {
      const file = this.options.file!;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Written aside and renamed: a crash leaves the old key or the new one, never half of one.
      const part = `${file}.${process.pid}.part`;
      fs.writeFileSync(part, this.options.cipher!.encryptString(key), { mode: 0o600 });
      fs.renameSync(part, file);
      this.sessionKey = null;
    } else {
      this.sessionKey = key;
    }
    return this.status();
  }

  clear(): PlanetKeyStatus {
    this.sessionKey = null;
    this.environmentForgotten = true;
    if (this.options.file) fs.rmSync(this.options.file, { force: true });
    return this.status();
  }

  private storedKey(): string | null {
    const { file, cipher } = this.options;
    if (!file || !cipher?.isEncryptionAvailable() || !fs.existsSync(file)) return null;
    try {
      return cipher.decryptString(fs.readFileSync(file)) || null;
    } catch {
      // Encrypted under another account or keyring: unusable here, so treated as no key (entering one replaces it).
      return null;
    }
  }

  private environmentKey(): string | null {
    if (this.environmentForgotten) return null;
    return (this.options.env ?? process.env).PL_API_KEY?.trim() || null;
  }
}
