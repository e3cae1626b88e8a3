// Where each image of a project came from: kept in the project's settings by the image's address, so it stays
// true whichever date the address is used for, and read back beside the imagery.
import type { ImagerySource } from '../../ipc/stacSchemas';
import type { ProjectStore } from '../project/projectStore';

const SETTING = 'imagery_sources';

export function imagerySources(store: ProjectStore): Record<string, ImagerySource> {
  return store.getSetting<Record<string, ImagerySource>>(SETTING) ?? {};
}

export function recordImagerySources(store: ProjectStore, sources: Record<string, ImagerySource>): void {
  store.setSetting(SETTING, { ...imagerySources(store), ...sources });
}
