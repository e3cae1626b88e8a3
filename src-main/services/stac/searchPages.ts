// The paging both scene searches share, STAC API item search and Planet's quick search: read page after page up to
// a bound, make scenes of the items, drop repeated scenes and those over the cloud limit, and stop at the query's limit.
import type { StacScene, StacSearchQuery } from '../../ipc/stacSchemas';

/** A bound on paging, whatever the server's next links say (a server that pages forever). */
const MAX_PAGES = 50;

export interface SearchProgress {
  pages: number;
  scenes: number;
}

export interface SearchPage<Item, Request> {
  items: readonly Item[];
  /** The request for the page after this one, null after the last; asked only when the search goes on. */
  next(): Request | null;
}

export interface CollectedScenes {
  scenes: StacScene[];
  /** More scenes than the query's limit, or more pages than the bound. */
  truncated: boolean;
  pages: number;
}

export async function collectScenes<Item, Request>(
  first: Request,
  readPage: (request: Request) => Promise<SearchPage<Item, Request>>,
  sceneOf: (item: Item) => StacScene,
  query: Pick<StacSearchQuery, 'limit' | 'maxCloudCover'>,
  onProgress?: (p: SearchProgress) => void,
): Promise<CollectedScenes> {
  const scenes: StacScene[] = [];
  const seen = new Set<string>();
  let request: Request | null = first;
  let pages = 0;
  let truncated = false;
  while (request) {
    if (pages >= MAX_PAGES) {
      truncated = true;
      break;
    }
    const page = await readPage(request);
    pages += 1;
    for (const item of page.items) {
      const scene = sceneOf(item);
      const unique = `${scene.collection}/${scene.id}`;
      if (seen.has(unique)) continue;
      seen.add(unique);
      // The server was asked to filter the cloud cover where it can; a scene that does not say is kept.
      if (!withinCloudCover(scene, query.maxCloudCover)) continue;
      if (scenes.length >= query.limit) {
        truncated = true;
        break;
      }
      scenes.push(scene);
    }
    onProgress?.({ pages, scenes: scenes.length });
    if (truncated) break;
    request = page.next();
  }
  return { scenes, truncated, pages };
}

function withinCloudCover(scene: StacScene, max: number | undefined): boolean {
  return max === undefined || scene.cloudCover === null || scene.cloudCover <= max;
}
