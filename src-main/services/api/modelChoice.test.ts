// Model details and the run's model choice through the API: licence and attribution of each model, the automatic
// choice for the project's imagery before a run (models:choose), and run:start's default 'auto' recorded on the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Events, Results } from '../../ipc/contract';
import { dispatch } from '../../ipc/dispatch';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { AppSession } from '../session';

const TINY_MODEL = path.resolve(import.meta.dirname, '../../../models/test/tiny-change.card.json');
const silent = { error: () => undefined, warn: () => undefined };

let dir: string;
let session: AppSession;

async function call<C extends Channel>(channel: C, payload: unknown): Promise<Results[C]> {
  const result = await dispatch(session.handlers(), channel, payload, silent);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as Results[C];
}

async function writePair(name: string, pixelSizeM: number): Promise<[string, string]> {
  const grid = utmGrid(256, 256, 500000, 5600000, pixelSizeM);
  const before = sceneData(grid, 3, 'uint8') as Uint8Array;
  const after = before.slice();
  for (let i = 0; i < 3 * 256 * 256; i += 7) after[i] = 255 - after[i];
  const files: [string, string] = [path.join(dir, `${name}-a.tif`), path.join(dir, `${name}-b.tif`)];
  await writeFixture(files[0], grid, 3, before);
  await writeFixture(files[1], grid, 3, after);
  return files;
}

async function useImagery([before, after]: [string, string]): Promise<void> {
  await call('imagery:setFiles', { role: 'before', uris: [before] });
  await call('imagery:setFiles', { role: 'after', uris: [after] });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-model-choice-'));
  session = new AppSession({
    userDataDir: path.join(dir, 'user'),
    version: 'test',
    shell: { transport: 'in-process' },
  });
});

afterAll(() => {
  session.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('models and the automatic choice through the API', () => {
  it('lists each model with its ground sampling range, licence and attribution', async () => {
    await call('project:create', { path: path.join(dir, 'choice.gpkg') });
    const models = await call('models:list', {});
    const change = models.find((m) => m.name === 'changemap-change')!;
    expect(change.gsdRangeM).toEqual([0.5, 20]);
    expect(change.licence).toMatch(/non-commercial/);
    expect(change.attribution).toMatch(/OSCD \(Daudt et al/);
    expect(change.detects).toBeTruthy();
    const landCover = models.find((m) => m.name === 'changemap-landcover')!;
    expect(landCover.attribution).toMatch(/AID \(Xia et al/);
    expect(landCover.detects).toBeNull();
  });

  it('says nothing before both dates are set, then names the automatic choice and why', async () => {
    expect(await call('models:choose', {})).toBeNull();
    await useImagery(await writePair('3m', 3));
    const choice = (await call('models:choose', {}))!;
    expect(choice.requested).toBe('auto');
    expect(choice.pixelSizeM).toBeCloseTo(3, 6);
    expect(choice.reason).toMatch(/^Imagery at 3 m suits /);
    const models = await call('models:list', {});
    expect(models.find((m) => m.id === choice.id)?.task).toBe('change-detection');
    expect(choice.warnings).toEqual([]);
  });

  it('warns for imagery outside the model range, for the automatic and for a picked model', async () => {
    await useImagery(await writePair('60m', 60));
    const auto = (await call('models:choose', { model: 'auto' }))!;
    expect(auto.warnings[0]).toMatch(/^Imagery at 60 m is outside every model's ground sampling range/);
    const picked = (await call('models:choose', { model: TINY_MODEL }))!;
    expect(picked).toMatchObject({ requested: TINY_MODEL, id: TINY_MODEL, reason: null });
    expect(picked.warnings).toEqual([
      'Imagery at 60 m is coarser than the ground sampling range of tiny-change (0.5–20 m); expect missed and false changes.',
    ]);
  });

  it('runs with the automatic choice when run:start names no model, and the run says which and why', async () => {
    await useImagery(await writePair('3m-run', 3));
    const expected = (await call('models:choose', {}))!;
    const done = new Promise<Events['run:done']>((resolve) => {
      const off = session.events.subscribe((event, payload) => {
        if (event !== 'run:done') return;
        off();
        resolve(payload as Events['run:done']);
      });
    });
    const started = await call('run:start', { provider: 'cpu' });
    expect(started).toMatchObject({
      modelRequested: 'auto',
      modelName: expected.name,
      modelReason: expected.reason,
    });
    const finished = await done;
    expect(finished).toMatchObject({ id: started.id, status: 'done', modelReason: expected.reason });
    const listed = await call('run:list', {});
    expect(listed.find((r) => r.id === started.id)?.modelRequested).toBe('auto');
  });
});
