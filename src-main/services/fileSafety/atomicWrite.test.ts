import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeMapError } from '../../core/errors';
import { nodeFileOps, withAtomicFile, writeFileAtomic } from './atomicWrite';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-atomic-'));
});
afterEach(() => {
  fs.chmodSync(dir, 0o700);
  fs.rmSync(dir, { recursive: true, force: true });
});

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChangeMapError);
    return (error as ChangeMapError).code;
  }
  throw new Error('expected a failure');
}

describe('writeFileAtomic', () => {
  it('writes the file and leaves no temporary file', async () => {
    const target = path.join(dir, 'out.txt');
    await writeFileAtomic(target, 'Baustelle – Straße');
    expect(fs.readFileSync(target, 'utf8')).toBe('Baustelle – Straße');
    expect(fs.readdirSync(dir)).toEqual(['out.txt']);
  });

  it('refuses to replace an existing file unless asked, then replaces it', async () => {
    const target = path.join(dir, 'out.txt');
    fs.writeFileSync(target, 'old');
    expect(await codeOf(writeFileAtomic(target, 'new', { codePrefix: 'EXPORT' }))).toBe('EXPORT_EXISTS');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    await writeFileAtomic(target, 'new', { overwrite: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['out.txt']);
  });

  it('on a full disk keeps the old file and removes the partial temporary file', async () => {
    const target = path.join(dir, 'out.bin');
    fs.writeFileSync(target, 'old');
    let calls = 0;
    const write = async (handle: fs.promises.FileHandle, bytes: Uint8Array) => {
      // The first chunk lands, the second finds the disk full: a real partial file exists at that moment.
      if (calls++ > 0) throw systemError('ENOSPC');
      await nodeFileOps.write(handle, bytes);
    };
    const chunks = [new Uint8Array(1000).fill(1), new Uint8Array(1000).fill(2)];
    const error = await writeFileAtomic(target, chunks, {
      overwrite: true,
      codePrefix: 'EXPORT',
      ops: { write },
    }).catch((e: unknown) => e as ChangeMapError);
    expect(error).toBeInstanceOf(ChangeMapError);
    expect((error as ChangeMapError).code).toBe('EXPORT_DISK_FULL');
    expect((error as ChangeMapError).message).toMatch(/disk .* is full/);
    expect(calls).toBe(2);
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['out.bin']);
  });

  it('reports a folder without write permission (injected) and leaves nothing', async () => {
    const open = async (file: string, flags: string) => {
      if (flags === 'wx') throw systemError('EACCES');
      return nodeFileOps.open(file, flags);
    };
    expect(
      await codeOf(writeFileAtomic(path.join(dir, 'a.txt'), 'x', { codePrefix: 'EXPORT', ops: { open } })),
    ).toBe('EXPORT_NO_PERMISSION');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('reports a real read-only folder', async () => {
    fs.chmodSync(dir, 0o500);
    expect(await codeOf(writeFileAtomic(path.join(dir, 'a.txt'), 'x'))).toBe('FILE_NO_PERMISSION');
  });

  it('reports a missing folder', async () => {
    expect(await codeOf(writeFileAtomic(path.join(dir, 'gone', 'a.txt'), 'x'))).toBe('FILE_FOLDER_MISSING');
  });

  it('cleans up when the final rename fails', async () => {
    const rename = async () => {
      throw systemError('EBUSY');
    };
    const target = path.join(dir, 'a.txt');
    fs.writeFileSync(target, 'old');
    expect(await codeOf(writeFileAtomic(target, 'x', { overwrite: true, ops: { rename } }))).toBe(
      'FILE_IN_USE',
    );
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
  });
});

describe('withAtomicFile', () => {
  it('never replaces a file another program created while the export ran', async () => {
    const target = path.join(dir, 'race.gpkg');
    const code = await codeOf(
      withAtomicFile(target, async (tmp) => {
        fs.writeFileSync(tmp, 'ours');
        fs.writeFileSync(target, 'theirs');
      }),
    );
    expect(code).toBe('FILE_EXISTS');
    expect(fs.readFileSync(target, 'utf8')).toBe('theirs');
    expect(fs.readdirSync(dir)).toEqual(['race.gpkg']);
  });

  it('maps SQLite failures and removes the journal beside the temporary file', async () => {
    const target = path.join(dir, 'out.gpkg');
    const code = await codeOf(
      withAtomicFile(
        target,
        async (tmp) => {
          fs.writeFileSync(tmp, 'half');
          fs.writeFileSync(`${tmp}-journal`, 'journal');
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        },
        { codePrefix: 'EXPORT' },
      ),
    );
    expect(code).toBe('EXPORT_DISK_FULL');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('passes through errors that are not about files, still cleaning up', async () => {
    const target = path.join(dir, 'out.bin');
    await expect(
      withAtomicFile(target, () => {
        throw new TypeError('bug');
      }),
    ).rejects.toThrow(TypeError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('returns what produce returns, and fsyncs before the rename', async () => {
    const steps: string[] = [];
    const result = await withAtomicFile(
      path.join(dir, 'x.bin'),
      async (tmp) => {
        fs.writeFileSync(tmp, 'data');
        return 42;
      },
      {
        ops: {
          fsync: async (h) => {
            steps.push('fsync');
            await nodeFileOps.fsync(h);
          },
          link: async (a, b) => {
            steps.push('link');
            await nodeFileOps.link(a, b);
          },
        },
      },
    );
    expect(result).toBe(42);
    expect(steps).toEqual(['fsync', 'link']);
  });
});

describe('a target that is not a file (issue 12)', () => {
  it('a folder is named a folder, with or without overwrite, and is left as it was', async () => {
    const target = path.join(dir, 'out.csv');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside.txt'), 'kept');
    for (const overwrite of [false, true]) {
      const error = await writeFileAtomic(target, 'x', { overwrite, codePrefix: 'EXPORT' }).catch((e) => e);
      expect(error).toBeInstanceOf(ChangeMapError);
      expect(error.code).toBe('EXPORT_NOT_A_FILE');
      expect(error.message).toMatch(/is a folder, not a file/);
    }
    expect(fs.readdirSync(target)).toEqual(['inside.txt']);
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
  });

  it('/dev/null is named a device, never replaced', async () => {
    const error = await writeFileAtomic('/dev/null', 'x', { overwrite: true }).catch((e) => e);
    expect(error.code).toBe('FILE_NOT_A_FILE');
    expect(error.message).toMatch(/is a device/);
  });
});
