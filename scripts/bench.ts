// `npm run bench [imagery|models|runs|cli|regions|... [--flag value ...]]`: every benchmark, each in its own process so that its peak
// resident memory is its own. Prints figures; asserts nothing (tests do that).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `scene` (a 1.9-gigapixel run, tens of minutes) and `scale` (needs redis-server) run only when named:
// `npm run bench -- scene`, `npm run bench -- scale`.
const all = ['imagery', 'models', 'runs', 'cli', 'regions', 'preview', 'boundaries'];
// The leading words name benchmarks; from the first flag on, everything is passed to each (`runs --provider cuda`).
const argv = process.argv.slice(2);
const firstFlag = argv.findIndex((a) => a.startsWith('-'));
const wanted = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
const passed = firstFlag < 0 ? [] : argv.slice(firstFlag);
const chosen = wanted.length ? wanted : all;

console.log(
  `ChangeMap benchmarks on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}, ` +
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (figures fall as the load rises: bench on an otherwise idle machine)`,
);
let failed = 0;
for (const name of chosen) {
  const script = path.join(root, 'scripts', `bench-${name}.ts`);
  if (!fs.existsSync(script)) {
    console.error(`bench: no benchmark called ${name} (have: ${all.join(', ')})`);
    failed++;
    continue;
  }
  console.log(`\n== ${name} ==`);
  const tsx = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
  const result = spawnSync(tsx, [script, ...passed], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
