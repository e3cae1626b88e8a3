// The line readers of a running child (killChild's lines, cliChild's followJsonLines): every line reaches the caller,
// those after the awaited one included, even when they come in the same chunk of output.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { expect, it } from 'vitest';
import { followJsonLines } from './cliChild';
import { killed, lines } from './killChild';

/** A node child that prints `text` in one write, then waits to be killed (killed() resolves once all is read). */
function printing(text: string): ChildProcessWithoutNullStreams {
  return spawn(
    process.execPath,
    ['-e', `process.stdout.write(${JSON.stringify(text)}); setInterval(() => undefined, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  ) as unknown as ChildProcessWithoutNullStreams;
}

it('keeps reading the lines after the awaited one, in the same chunk too', async () => {
  const child = printing('ready\nafter 1\nafter 2\n');
  const seen: string[] = [];
  await lines(child, (line) => {
    seen.push(line);
    return line === 'ready';
  }).finally(() => killed(child));
  expect(seen).toEqual(['ready', 'after 1', 'after 2']);
});

it('parses each JSON line of a running child, all of them, and resolves at the one awaited', async () => {
  const child = printing('{"type":"worker:ready"}\n{"type":"chunk:done","idx":3}\n');
  const seen: { type: string; idx?: number }[] = [];
  await followJsonLines<{ type: string; idx?: number }>(child, (line) => {
    seen.push(line);
    return line.type === 'worker:ready';
  }).finally(() => killed(child));
  expect(seen).toEqual([{ type: 'worker:ready' }, { type: 'chunk:done', idx: 3 }]);
});

it('rejects when the child exits before the line awaited', async () => {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("starting\\n")'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  }) as unknown as ChildProcessWithoutNullStreams;
  await expect(lines(child, (line) => line === 'ready')).rejects.toThrow(/exited \(0\) before/);
});
