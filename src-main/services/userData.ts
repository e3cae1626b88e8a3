// Where per-user state (recent projects) lives outside Electron: CHANGEMAP_USER_DATA, else the platform's
// config folder. Electron passes app.getPath('userData') instead.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHANGEMAP_USER_DATA) return path.resolve(env.CHANGEMAP_USER_DATA);
  if (process.platform === 'win32')
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'ChangeMap');
  if (process.platform === 'darwin')
    return path.join(os.homedir(), 'Library', 'Application Support', 'ChangeMap');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'ChangeMap');
}

/** The shipped models: `models/` of a checkout, where the services run from source. */
export function defaultModelsDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');
}
