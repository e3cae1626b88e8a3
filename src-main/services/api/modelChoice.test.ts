// Model details and the run's model choice through the API: licence and attribution of each model, the automatic
// choice for the project's imagery before a run (models:choose), and run:start's default 'auto' recorded on the run.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Events } from '../../ipc/contract';
import { sceneData, utmGrid, writeFixture } from '../imagery/testing/fixtures';
import { ApiTestSession } from './testing/apiTestSession';
import { TINY_CHANGE_CARD } from '../inference/testing/testModels';

let api: ApiTestSession;

async function writePair(name: string, pixelSizeM: number): Promise<[string, string]> {
  const grid = utmGrid(256, 256, 500000, 5600000, pixelSizeM);
  const before = sceneData(grid, 3, 'uint8') as Uint8Array;
  const after = before.slice();
  for (let i = 0; i < 3 * 256 * 256; i += 7) after[i] = 255 - after[i];
  const files: [string, string] = [path.join(api.dir, `${name}-a.tif`), path.join(api.dir, `${name}-b.tif`)];
  await writeFixture(files[0], grid, 3, before);
  await writeFixture(files[1], grid, 3, after);
  return files;
}

async function useImagery([before, after]: [string, string]): Promise<void> {
  await api.call('imagery:setFiles', { role: 'before', uris: [before] });
  await api.call('imagery:setFiles', { role: 'after', uris: [after] });
}

beforeAll(() => (api = new ApiTestSession('cm-model-choice-')));

afterAll(() => api.dispose());

describe('models and the automatic choice through the API', () => {
  it('lists each model with its ground sampling range, licence and attribution', async () => {
    await api.call('project:create', { path: path.join(api.dir, 'choice.gpkg') });
    const models = await api.call('models:list', {});
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
    expect(await api.call('models:choose', {})).toBeNull();
    await useImagery(await writePair('3m', 3));
    const choice = (await api.call('models:choose', {}))!;
    expect(choice.requested).toBe('auto');
    expect(choice.pixelSizeM).toBeCloseTo(3, 6);
    expect(choice.reason).toMatch(/^Imagery at 3 m suits /);
    const models = await api.call('models:list', {});
    expect(models.find((m) => m.id === choice.id)?.task).toBe('change-detection');
    expect(choice.warnings).toEqual([]);
  });

  it('warns for imagery outside the model range, for the automatic and for a picked model', async () => {
    await useImagery(await writePair('60m', 60));
    const auto = (await api.call('models:choose', { model: 'auto' }))!;
    expect(auto.warnings[0]).toMatch(/^Imagery at 60 m is outside every model's ground sampling range/);
    const picked = (await api.call('models:choose', { model: TINY_CHANGE_CARD }))!;
    expect(picked).toMatchObject({ requested: TINY_CHANGE_CARD, id: TINY_CHANGE_CARD, reason: null });
    expect(picked.warnings).toEqual([
      'Imagery at 60 m is coarser than the ground sampling range of tiny-change (0.5–20 m); expect missed and false changes.',
    ]);
  });

  it('runs with the automatic choice when run:start names no model, and the run says which and why', async () => {
    await useImagery(await writePair('3m-run', 3));
    const expected = (await api.call('models:choose', {}))!;
    const done = new Promise<Events['run:done']>((resolve) => {
      const off = api.session.events.subscribe((event, payload) => {
        if (event !== 'run:done') return;
        off();
        resolve(payload as Events['run:done']);
      });
    });
    const started = await api.call('run:start', { provider: 'cpu' });
    expect(started).toMatchObject({
      modelRequested: 'auto',
      modelName: expected.name,
      modelReason: expected.reason,
    });
    const finished = await done;
    expect(finished).toMatchObject({ id: started.id, status: 'done', modelReason: expected.reason });
    const listed = await api.call('run:list', {});
    expect(listed.find((r) => r.id === started.id)?.modelRequested).toBe('auto');
  });
});
