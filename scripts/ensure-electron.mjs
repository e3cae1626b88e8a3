// Makes sure Electron's binary is present. Electron downloads it lazily on first use; we try
// once at install so a user on a normal network never notices, and never fail the install
// when the download is impossible (offline machines, CI): `npm start` then uses the browser host.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Absolute path of Electron's executable when it is installed, else null. */
export function installedElectronPath() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = path.join(dir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(exe) ? exe : null;
}

/** Tries Electron's own installer; returns the executable path or null. */
export function tryInstallElectron({ quiet = false } = {}) {
  if (installedElectronPath()) return installedElectronPath();
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return null;
  let installer;
  try {
    installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return null;
  }
  const result = spawnSync(process.execPath, [installer], {
    stdio: quiet ? 'ignore' : 'inherit',
    timeout: 10 * 60 * 1000,
  });
  return result.status === 0 ? installedElectronPath() : null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const optional = process.argv.includes('--optional');
  const exe = tryInstallElectron({ quiet: optional });
  if (!exe) {
    console.log(
      'changemap: Electron binary not available (offline?); `npm start` will use the browser host.',
    );
  }
  process.exit(exe || optional ? 0 : 1);
}
