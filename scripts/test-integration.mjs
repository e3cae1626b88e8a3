// `npm run test:integration`: the suites on real public data in ../shared/data (or CHANGEMAP_DATA). That data
// is not part of the repository; where it is absent the suites cannot run, and this says so plainly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = process.env.CHANGEMAP_DATA ?? path.join(root, '..', 'shared', 'data');
if (!existsSync(path.join(data, 'README.md'))) {
  console.log(
    `test:integration: no public data at ${data} (set CHANGEMAP_DATA); integration suites not run.`,
  );
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
  env: { ...process.env, CHANGEMAP_DATA: data },
});
process.exit(result.status ?? 1);
