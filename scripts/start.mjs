// `npm start`: the desktop app where Electron's binary is installed; otherwise one line saying so, and the same UI
// through the loopback browser host.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedElectronPath, tryInstallElectron } from './ensure-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
// Local binaries are called directly rather than through npx: no second npm start-up for each tool.
const bin = (name) =>
  path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const electron =
  installedElectronPath() ?? (process.env.CHANGEMAP_BROWSER ? null : tryInstallElectron({ quiet: true }));
if (electron && !process.env.CHANGEMAP_BROWSER) {
  const built = spawnSync(bin('electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  run(electron, ['.', ...args]);
} else {
  console.log(
    'Electron is not installed here (no binary could be downloaded): serving ChangeMap in your browser instead.',
  );
  const built = spawnSync(
    bin('vite'),
    ['build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
  const project = args.find((a) => a.toLowerCase().endsWith('.gpkg'));
  run(bin('tsx'), ['src-main/cli/main.ts', 'serve', ...(project ? ['--project', project] : [])]);
}
