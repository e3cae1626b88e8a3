// Public STAC APIs offered by default, and the ones a project has searched (kept in its settings).
import type { StacCatalogue } from '../../ipc/stacSchemas';
import type { ProjectStore } from '../project/projectStore';

/** Checked 2026-12: both serve true-colour COGs an anonymous user can read. */
export const WELL_KNOWN_CATALOGUES: readonly StacCatalogue[] = [
  {
    url: 'https://earth-search.aws.element84.com/v1',
    title: 'Earth Search (Element 84, AWS Open Data)',
    kind: 'well-known',
    collections: ['sentinel-2-l2a', 'naip'],
    note: 'Sentinel-2 at 10 m worldwide from 2015 (its "visual" image); NAIP at 0.6-1 m in the USA.',
  },
  {
    url: 'https://planetarycomputer.microsoft.com/api/stac/v1',
    title: 'Microsoft Planetary Computer',
    kind: 'well-known',
    collections: ['sentinel-2-l2a', 'naip'],
    note: 'Search works anonymously; its images are read with short-lived access tokens ChangeMap asks for at each read.',
    signing: 'planetary-computer',
  },
];

const SETTING = 'stac_catalogues';
const MAX_ADDED = 20;

export function projectCatalogues(store: ProjectStore | null): StacCatalogue[] {
  const added = (store?.getSetting<StacCatalogue[]>(SETTING) ?? []).filter(
    (c) => !WELL_KNOWN_CATALOGUES.some((w) => sameUrl(w.url, c.url)),
  );
  return [...WELL_KNOWN_CATALOGUES, ...added];
}

/** Remembers a catalogue the project searched successfully (most recent first). */
export function rememberCatalogue(store: ProjectStore, url: string, collections: string[]): void {
  if (WELL_KNOWN_CATALOGUES.some((w) => sameUrl(w.url, url))) return;
  const others = (store.getSetting<StacCatalogue[]>(SETTING) ?? []).filter((c) => !sameUrl(c.url, url));
  const entry: StacCatalogue = { url, title: new URL(url).host, kind: 'added', collections, note: null };
  store.setSetting(SETTING, [entry, ...others].slice(0, MAX_ADDED));
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
