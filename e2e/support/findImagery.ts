// The "Find imagery" panel as the catalogue e2e tests (STAC, per-band STAC, Planet) drive it, and what the project
// then holds: one home for the search form they all fill, the scene lists they read and the environment they set.
import { ProjectStore } from '../../src-main/services/project/projectStore';
import { imagerySources } from '../../src-main/services/stac/imagerySources';
import type { Workbench } from './workbench';

/** Fills the search form for the sample scene's two dates (2019 before, 2021 after), at most 20 % cloud. */
export async function fillSceneSearch(
  bench: Workbench,
  search: { bbox: readonly number[]; apiUrl?: string; collection?: string },
): Promise<void> {
  if (search.apiUrl !== undefined) await bench.byTestId('stac-url').fill(search.apiUrl);
  if (search.collection !== undefined) await bench.byTestId('stac-collection').fill(search.collection);
  await bench.byTestId('stac-bbox').fill(search.bbox.join(', '));
  await bench.byTestId('stac-bbox').blur();
  await bench.byTestId('stac-before-from').fill('2019-01-01');
  await bench.byTestId('stac-before-to').fill('2019-12-31');
  await bench.byTestId('stac-after-from').fill('2021-01-01');
  await bench.byTestId('stac-after-to').fill('2021-12-31');
  await bench.byTestId('stac-max-cloud').fill('20');
}

/** The ids of the scenes listed for a date, in the panel's order. */
export function listedSceneIds(bench: Workbench, date: 'before' | 'after'): Promise<(string | null)[]> {
  return bench
    .byTestId(`stac-${date}-scenes`)
    .getByTestId('stac-scene')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
}

/** The project's region count and where each of its images came from, read from the file. */
export function projectImagery(projectFile: string) {
  const store = ProjectStore.open(projectFile, { readOnly: true });
  try {
    const regionCount = (store.db.prepare('SELECT COUNT(*) AS n FROM change_regions').get() as { n: number })
      .n;
    return { regionCount, sources: imagerySources(store) };
  } finally {
    store.close();
  }
}

/** Sets environment variables of this process (undefined removes one); the returned function puts them back. */
export function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (next: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(next)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  return () => apply(saved);
}
