// The API's words for Planet (issue 16): the user's API key and what the app may say about it. The key itself goes
// one way only, from the user to the services; every answer says whether a key is set and where it is kept.
import { z } from 'zod';

/** A Planet API key as pasted: printable ASCII without spaces (Planet's keys are 32+ letters and digits). */
export const planetApiKey = z
  .string()
  .trim()
  .min(16, 'A Planet API key has at least 16 characters; copy it from your Planet account settings.')
  .max(200, 'That is too long for a Planet API key; copy the key alone from your Planet account settings.')
  .regex(
    /^[\x21-\x7e]+$/,
    'A Planet API key has no spaces or other characters than letters, digits and signs.',
  );

export const planetSetKeyRequest = z.object({ key: planetApiKey }).strict();

/**
 * Where the key is kept. 'os-secure-storage': encrypted with the operating system's secure storage (Electron's
 * safeStorage) in the user data folder; 'session': in memory until the host stops; 'environment': PL_API_KEY.
 */
export type PlanetKeyStorage = 'os-secure-storage' | 'session' | 'environment';

export interface PlanetKeyStatus {
  set: boolean;
  storage: PlanetKeyStorage | null;
  /** One sentence for the panel: where a key entered now would be kept, or where the one in use comes from. */
  note: string;
}
