// Issue 10 item 7 (renderer): exports leave rejected regions out unless the user asks for them; the request's own
// default decides "all but rejected". And an export's message belongs to the project it was started in (item 10).
import { afterEach, describe, expect, it } from 'vitest';
import { FakeServiceError, services } from '../testing/fakeServices';
import { defaultExportChoice, ExportState, exportFilters, type ExportChoice } from './exports.svelte';
import { notices } from './notices.svelte';

/** The dialog's starting choice, a file picked: every region but rejected ones unless the user asks. */
const choice: ExportChoice = { ...defaultExportChoice(0.15), out: '/tmp/out.geojson' };

afterEach(() => services.reset());

describe('export filters', () => {
  it('names no review state by default, so the request default (all but rejected) applies', () => {
    expect(exportFilters(choice)).toEqual({});
  });

  it('includes rejected regions only when asked, and can keep only confirmed ones', () => {
    expect(exportFilters({ ...choice, which: 'all' }).reviewStates).toEqual([
      'unreviewed',
      'confirmed',
      'rejected',
    ]);
    expect(exportFilters({ ...choice, which: 'confirmed' }).reviewStates).toEqual(['confirmed']);
  });

  it('keeps the area and transition filters', () => {
    expect(exportFilters({ ...choice, minAreaM2: 500, transitions: ['forest -> built'] })).toEqual({
      minAreaM2: 500,
      transitions: [{ from: 'forest', to: 'built' }],
    });
  });
});

describe('ExportState', () => {
  it('reports an export that ends after the project changed to no one', async () => {
    let finish!: () => void;
    services.handle(
      'export:regions',
      ({ out }) =>
        new Promise<{ path: string; featureCount: number }>((resolve) => {
          finish = () => resolve({ path: out, featureCount: 3 });
        }),
    );
    const exports = new ExportState();
    const done = exports.run(1, choice);
    await Promise.resolve();
    notices.clear(); // the user opened another project meanwhile
    finish();
    await done;
    expect(notices.latest).toBeNull();
  });

  it('asks before replacing a file, and shows the failure of the export in its project', async () => {
    const sent: (string | undefined)[] = [];
    services.handle('export:regions', ({ overwrite }) => {
      sent.push(overwrite);
      if (!overwrite) throw new FakeServiceError('EXPORT_EXISTS', 'exists');
      throw new Error('disk');
    });
    const exports = new ExportState();
    await exports.run(1, choice);
    expect(exports.confirmOverwrite).toBe(choice.out);
    await exports.run(1, choice, exports.confirmOverwrite);
    // The yes travels as the path it was given for, which the services compare with the file they write.
    expect(sent).toEqual([undefined, choice.out]);
    expect(exports.error?.code).toBe('INTERNAL');
    expect(notices.latest?.message).toBe('Exporting: disk');
  });
});
