// Issue 12: a FIFO, a device or a folder given as imagery is named as what it is, never "empty (0 bytes)" or read.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeMapError } from '../../core/errors';
import { openRaster } from './imagerySet';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-special-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('imagery that is not a file', () => {
  const fifo = path.join(dir, 'pipe.tif');
  execFileSync('mkfifo', [fifo]);
  const pngFifo = path.join(dir, 'pipe.png');
  execFileSync('mkfifo', [pngFifo]);
  fs.mkdirSync(path.join(dir, 'folder.vrt'));
  const cases: [string, RegExp][] = [
    [fifo, /is a named pipe \(FIFO\), not an image file/],
    [pngFifo, /is a named pipe \(FIFO\), not an image file/],
    ['/dev/urandom', /is a device, not an image file/],
    ['/dev/null', /is a device, not an image file/],
    [path.join(dir, 'folder.vrt'), /is a folder, not an image file/],
  ];
  it.each(cases)('%s is named as what it is', async (file, message) => {
    const error = await openRaster(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangeMapError);
    expect((error as ChangeMapError).code).toBe('FILE_NOT_A_FILE');
    expect((error as ChangeMapError).message).toMatch(message);
  });
});
