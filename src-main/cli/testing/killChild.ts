// Child processes for the kill tests: started as a user starts ChangeMap's code (node with tsx's loader, not the tsx
// wrapper, which would outlive a SIGKILL in a grandchild), read line by line, and killed with SIGKILL, which skips
// every clean-up. One home for these helpers: crashSafety, killResume and writersLock tests use them.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export function spawnTsx(
  script: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: env ?? process.env,
  }) as unknown as ChildProcessWithoutNullStreams;
}

/**
 * Feeds the child's stdout to `onLine` a line at a time, every line it prints; resolves when `onLine` first returns
 * true, rejects when the child exits first.
 */
export function lines(
  child: ChildProcessWithoutNullStreams,
  onLine: (line: string) => boolean | void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      // Resolving does not stop the reading: the lines after the awaited one (in this chunk too) still go to onLine.
      for (const line of parts) if (onLine(line)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before it was expected to`)));
  });
}

/** SIGKILLs a child and waits until everything it printed before dying has been read. */
export function killed(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('close', () => resolve());
    child.kill('SIGKILL');
  });
}
