import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_NODE_FLAGS, hasEngineNodeFlags } from './engineNodeFlags';

const root = path.resolve(import.meta.dirname, '../../..');

/** The flags a command line gives node before the script it runs (`node FLAGS... script ...`). */
function nodeFlagsOf(commandLine: string, script: string): string[] {
  const words = commandLine.trim().split(/\s+/);
  const node = words.findIndex((w) => /(^|\/)node$/.test(w));
  const at = words.findIndex((w) => w.endsWith(script));
  expect(node, commandLine).toBeGreaterThanOrEqual(0);
  expect(at, commandLine).toBeGreaterThan(node);
  return words.slice(node + 1, at);
}

describe("the run engine's node flags", () => {
  it('are flags this Node accepts on its command line (a Node that dropped one would refuse to start)', () => {
    const started = spawnSync(process.execPath, [...ENGINE_NODE_FLAGS, '-e', 'process.exit(0)'], {
      encoding: 'utf8',
    });
    expect(started.stderr).toBe('');
    expect(started.status).toBe(0);
  });

  it('start the engine processes not launched from code or the bin: npm run demo and the scale-out workers', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(nodeFlagsOf(pkg.scripts.demo, 'bin/changemap.js')).toEqual([...ENGINE_NODE_FLAGS]);
    const unit = readFileSync(path.join(root, 'scripts/deploy/changemap-worker.service'), 'utf8');
    const execStart = unit
      .split('\n')
      .find((l) => l.startsWith('ExecStart='))!
      .slice('ExecStart='.length);
    expect(nodeFlagsOf(execStart, 'bin/changemap.js')).toEqual([...ENGINE_NODE_FLAGS]);
    const pod = readFileSync(path.join(root, 'scripts/deploy/worker-deployment.yaml'), 'utf8');
    const command = /^\s*command: \[(.*)\]$/m.exec(pod)![1].replace(/['",]/g, ' ');
    expect(nodeFlagsOf(command, 'bin/changemap.js')).toEqual([...ENGINE_NODE_FLAGS]);
  });

  it('start `changemap` typed in a shell: the bin asks for them on its #! line, and that line runs here', () => {
    const bin = path.join(root, 'bin/changemap.js');
    const shebang = readFileSync(bin, 'utf8').split('\n')[0];
    // env -S splits the line into words (GNU coreutils 8.30+, macOS); npm's Windows shims read the same line.
    const words = /^#!\/usr\/bin\/env -S (.*)$/.exec(shebang)?.[1].split(' ');
    expect(words?.[0], shebang).toBe('node');
    expect(words?.slice(1)).toEqual([...ENGINE_NODE_FLAGS]);
    // Executed as a program (as the npm bin shim is), so the kernel and env read that line.
    const started = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(started.stderr).toBe('');
    expect(started.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("are recognised in a process's own arguments", () => {
    expect(hasEngineNodeFlags(['--import', 'tsx', ...ENGINE_NODE_FLAGS])).toBe(true);
    expect(hasEngineNodeFlags(['--import', 'tsx'])).toBe(false);
  });
});
