// A process killed in the middle of writing to the project file leaves a file that passes integrity_check and holds
// exactly its last committed state.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from './projectStore';

const LOOP = path.resolve(import.meta.dirname, 'testing/writeLoop.ts');

describe('crash safety of the project file', () => {
  it('survives SIGKILL mid-write with its last committed state', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-crash-'));
    const file = path.join(dir, 'p.gpkg');
    ProjectStore.create(file, 'Crash test').close();

    // node itself with tsx's loader (not the tsx wrapper, which would outlive a SIGKILL in a grandchild)
    const child = spawn(process.execPath, ['--import', 'tsx', LOOP, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastPrinted = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const numbers = chunk.toString().trim().split('\n').map(Number);
        lastPrinted = numbers[numbers.length - 1];
        if (lastPrinted >= 30) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('exit', resolve));

    // The lock of the dead process is stale: the project opens again, and the data is whole.
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const last = JSON.parse(
      (db.prepare("SELECT value FROM cm_settings WHERE key = 'last_commit'").get() as { value: string })
        .value,
    ) as number;
    // Every printed commit is durable; at most the one in flight when killed may have committed after printing.
    expect(last).toBeGreaterThanOrEqual(lastPrinted);
    expect(last).toBeLessThanOrEqual(lastPrinted + 2);
    // No transaction is half applied: all scratch rows belong to the same commit.
    const scratch = db.prepare("SELECT value FROM cm_settings WHERE key LIKE 'scratch_%'").all() as {
      value: string;
    }[];
    expect(scratch).toHaveLength(200);
    expect(new Set(scratch.map((r) => (JSON.parse(r.value) as { i: number }).i))).toEqual(new Set([last]));
    db.close();
    const store = ProjectStore.open(file);
    expect(store.summary().name).toBe('Crash test');
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
