// `changemap ...` as a user runs it, a child process of bin/changemap.js with its own user-data folder: one home for
// the command-line tests' way of starting it (and for the e2e tests that make a project on the command line).
import {
  spawn,
  spawnSync,
  type ChildProcessWithoutNullStreams,
  type SpawnSyncReturns,
} from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TINY_CHANGE_CARD } from '../../services/inference/testing/testModels';
import { lines } from './killChild';

export const CLI_BIN = fileURLToPath(new URL('../../../bin/changemap.js', import.meta.url));

export interface CliOptions {
  /** The user-data folder (CHANGEMAP_USER_DATA) the child uses. */
  userData: string;
  /** Milliseconds before the child is killed; none for the asynchronous run unless given. */
  timeout?: number;
  /** Variables over this process's environment; `undefined` leaves one out. */
  env?: Record<string, string | undefined>;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function childEnv({ userData, env = {} }: CliOptions): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, CHANGEMAP_USER_DATA: userData, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return merged;
}

/** Runs `changemap args...` to its end, blocking this process. */
export function runCli(args: string[], options: CliOptions): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI_BIN, ...args], {
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    env: childEnv(options),
  });
}

/** The same without blocking, for a test whose server (a catalogue, the browser host) answers from this process. */
export function runCliAsync(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      env: childEnv(options),
      timeout: options.timeout,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

type JsonEvent = Record<string, unknown> & { type: string };

/** The events a `--json` command printed, one JSON object a line. */
export const jsonLines = <T = JsonEvent>(stdout: string): T[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

/**
 * The same for a child still running (a `changemap worker`): each JSON line it prints, parsed, goes to `onLine` as it
 * comes, all of them; resolves once `onLine` returns true, rejects if the child exits first.
 */
export function followJsonLines<T = JsonEvent>(
  child: ChildProcessWithoutNullStreams,
  onLine: (line: T) => boolean | void,
): Promise<void> {
  return lines(child, (text) => onLine(JSON.parse(text) as T));
}

/** The tiny test model on the CPU, as `changemap run` flags. */
const TINY_MODEL_FLAGS = ['--model', TINY_CHANGE_CARD, '--provider', 'cpu'];

/** `changemap run` of a before/after pair into `project` with the tiny test model on the CPU, and `more` flags. */
export function tinyRunArgs(before: string, after: string, project: string, ...more: string[]): string[] {
  return ['run', '--before', before, '--after', after, '--project', project, ...TINY_MODEL_FLAGS, ...more];
}

/** `changemap run` of a generated `size` ("WxH") pair into `project` with the tiny test model on the CPU. */
export function tinySyntheticRunArgs(size: string, project: string, ...more: string[]): string[] {
  return ['run', '--synthetic', size, '--project', project, ...TINY_MODEL_FLAGS, ...more];
}
