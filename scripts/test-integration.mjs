// `npm run test:integration`: the suites on real public data in ../shared/data (or CHANGEMAP_DATA) and on the
// TinyCD reference outputs in ../shared/models/tinycd (or CHANGEMAP_TINYCD). Neither is part of the repository;
// where one is absent the suites cannot run, and this says so plainly (and fails in CI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = process.env.CHANGEMAP_DATA ?? path.join(root, '..', 'shared', 'data');
const tinycd = process.env.CHANGEMAP_TINYCD ?? path.join(root, '..', 'shared', 'models', 'tinycd');
const missing = [
  !existsSync(path.join(data, 'README.md')) && `no public data at ${data} (set CHANGEMAP_DATA)`,
  !existsSync(path.join(tinycd, 'reference_outputs.npz')) &&
    `no TinyCD reference outputs at ${tinycd} (set CHANGEMAP_TINYCD)`,
].filter(Boolean);
if (missing.length > 0) {
  console.log(`test:integration: ${missing.join('; ')}; integration suites not run.`);
  process.exit(process.env.CI ? 1 : 0);
}
const vitest = path.join(
  root,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'vitest.cmd' : 'vitest',
);
const result = spawnSync(vitest, ['run', '--config', 'vitest.integration.config.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CHANGEMAP_DATA: data, CHANGEMAP_TINYCD: tinycd },
});
process.exit(result.status ?? 1);
