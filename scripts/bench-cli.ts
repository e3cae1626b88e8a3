// `npm run bench -- cli`: how long the command line takes to start. `changemap --version`, and `changemap run` on a
// small generated pair up to its first chunk starting (the moment its run:chunk "running" event is printed),
// each the median of 5 starts, from the built bundle (out/cli) and, for comparison, from the TypeScript
// sources (CHANGEMAP_FROM_SOURCE=1). Targets: both under 0.5 s from the bundle.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSyntheticPairFiles } from '../src-main/services/runs/syntheticPairFiles';
// @ts-expect-error plain JavaScript module without types (bin/ holds the launcher only)
import { chooseCliEntry } from '../bin/cliEntry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'changemap.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-bench-cli-'));
const load = () => `load ${os.loadavg()[0].toFixed(1)}`;

/** Milliseconds from spawning `changemap args` until `until(line)` holds for a line of its stdout (or it exits). */
function timeTo(args: string[], env: NodeJS.ProcessEnv, until: (line: string) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let buffered = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(performance.now() - started);
      child.kill();
    };
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      if (lines.some(until)) finish();
    });
    child.on('exit', (code) =>
      done ? undefined : code === 0 ? finish() : reject(new Error(`exit ${code}`)),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const pair = await writeSyntheticPairFiles(path.join(work, 'pair'), { width: 512, height: 512, seed: 5 });
const choice = chooseCliEntry(root) as { kind: string; reason?: string };
console.log(
  `changemap runs from the ${choice.kind}${choice.reason ? ` (${choice.reason})` : ''}; ${os.availableParallelism()} cores, ${load()}`,
);
let project = 0;
for (const [label, env] of [
  ['bundle', {}],
  ['sources (tsx)', { CHANGEMAP_FROM_SOURCE: '1' }],
] as const) {
  const version: number[] = [];
  const firstChunk: number[] = [];
  for (let i = 0; i < 5; i++) {
    version.push(await timeTo(['--version'], env, () => false));
    firstChunk.push(
      await timeTo(
        [
          'run',
          '--project',
          path.join(work, `p${project++}.gpkg`),
          '--before',
          pair.before,
          '--after',
          pair.after,
          '--no-regions',
          '--json',
        ],
        env,
        (line) => line.includes('"run:chunk"') && line.includes('"running"'),
      ),
    );
  }
  console.log(
    `${label.padEnd(14)} --version ${(median(version) / 1000).toFixed(2)} s; run on a 512² pair until its first chunk starts ${(median(firstChunk) / 1000).toFixed(2)} s (medians of 5; target < 0.5 s from the bundle; ${load()})`,
  );
}
rmSync(work, { recursive: true, force: true });
