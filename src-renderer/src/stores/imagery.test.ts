// The imagery store against fake services: adding files, refusals with their code, drops, and what the map reloads.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeServiceError, raisedSignals, services } from '../testing/fakeServices';
import { imageryDate, imageryState } from '../testing/imagery';
import { ImageryState } from './imagery.svelte';

afterEach(() => services.reset());

describe('ImageryState', () => {
  it('adds files to a date: new pixels for the map, a zoom to them, and a mosaic that grows', async () => {
    services.handle('imagery:setFiles', ({ role, uris }) =>
      imageryState({ [role]: imageryDate(role, uris) }),
    );
    const imagery = new ImageryState();
    const revision = imagery.revision;
    expect(await imagery.setFiles('before', ['/a.tif'])).toBe(true);
    expect(imagery.date('before')?.uris).toEqual(['/a.tif']);
    expect(imagery.revision).toBe(revision + 1);
    expect(imagery.zoomRequest).toBe(1);
    expect(raisedSignals()).toContain('imagery:set:before');
    await imagery.addFiles('before', ['/b.tif', '/a.tif']);
    expect(services.callsTo('imagery:setFiles').at(-1)).toEqual({
      role: 'before',
      uris: ['/a.tif', '/b.tif'],
    });
  });

  it('keeps a refusal with its code in the date it belongs to', async () => {
    services.handle('imagery:setFiles', () => {
      throw new FakeServiceError('NOT_A_TIFF', 'page.tif is not a GeoTIFF.');
    });
    const imagery = new ImageryState();
    expect(await imagery.setFiles('after', ['/page.tif'])).toBe(false);
    expect(imagery.errors.after).toEqual({ code: 'NOT_A_TIFF', message: 'page.tif is not a GeoTIFF.' });
    expect(imagery.errors.before).toBeNull();
    expect(imagery.loading.after).toBe(false);
    expect(raisedSignals()).toContain('error:NOT_A_TIFF');
  });

  it('takes only imagery from a drop, and says when the shell cannot tell where a file is', async () => {
    services.handle('imagery:setFiles', ({ role, uris }) =>
      imageryState({ [role]: imageryDate(role, uris) }),
    );
    const imagery = new ImageryState();
    await imagery.drop('before', null);
    expect(imagery.dropNotice.before).toMatch(/desktop app/);
    await imagery.drop('before', ['/notes.txt']);
    expect(imagery.dropNotice.before).toMatch(/can be dropped/);
    expect(services.callsTo('imagery:setFiles')).toEqual([]);
    await imagery.drop('before', ['/notes.txt', '/scene.PNG']);
    expect(imagery.dropNotice.before).toBeNull();
    expect(services.callsTo('imagery:setFiles')).toEqual([{ role: 'before', uris: ['/scene.PNG'] }]);
  });

  it('follows the services: changes made elsewhere and preview progress', () => {
    const imagery = new ImageryState();
    imagery.listen();
    services.emit('imagery:changed', imageryState({ after: imageryDate('after', ['/c.tif']) }));
    expect(imagery.date('after')?.uris).toEqual(['/c.tif']);
    expect(imagery.ready).toBe(false);
    services.emit('imagery:previewProgress', { role: 'after', fraction: 0.5, done: false });
    expect(imagery.previewProgress.after).toBe(0.5);
    services.emit('imagery:previewProgress', { role: 'after', fraction: 1, done: true });
    expect(imagery.previewProgress.after).toBeNull();
  });

  it('is ready with both dates and no blocking pre-flight issue', () => {
    const imagery = new ImageryState();
    imagery.listen();
    const both = { before: imageryDate('before', ['/a.tif']), after: imageryDate('after', ['/b.tif']) };
    services.emit('imagery:changed', imageryState(both));
    expect(imagery.ready).toBe(true);
    services.emit(
      'imagery:changed',
      imageryState({
        ...both,
        preflight: [{ code: 'NO_OVERLAP', severity: 'error', message: 'No overlap.' }],
      }),
    );
    expect(imagery.ready).toBe(false);
    imagery.reset();
    expect(imagery.date('before')).toBeNull();
  });
});
