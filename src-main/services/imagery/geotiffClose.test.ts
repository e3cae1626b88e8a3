// A GeoTIFF source closes its file once however often it is closed: geotiff.js closes the raw descriptor on every
// call, so a second close shut whatever file or socket had been given that number since (in the app's process a
// Redis socket, and libuv aborted the process on it).
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { openGeoTiff } from './geotiffSource';
import { pixelGrid, sceneData, writeFixture } from './testing/fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'cm-geotiff-close-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

it('closes its file once, and a second close leaves a file opened since alone', async () => {
  const file = path.join(dir, 'scene.tif');
  const grid = pixelGrid(32, 24);
  await writeFixture(file, grid, 3, sceneData(grid, 3, 'uint8'));
  const other = path.join(dir, 'other.bin');
  await writeFile(other, 'still open');
  const closes = vi.spyOn(fs, 'close');
  const source = await openGeoTiff(file);
  await source.readWindow({ x: 0, y: 0, width: 4, height: 4 });
  await source.close();
  // The descriptor just freed is the lowest free one: this file is given it.
  const handle = await open(other, 'r');
  try {
    await source.close();
    const read = await handle.read(Buffer.alloc(10), 0, 10, 0);
    expect(read.buffer.toString()).toBe('still open');
  } finally {
    await handle.close();
  }
  expect(closes).toHaveBeenCalledTimes(1);
});
