// One STAC item read by its address (`changemap run --before-item URL`): the scene it describes, refused in one
// sentence when it is not an item or holds no image ChangeMap can read.
import create, { type Item } from 'stac-js';
import { ChangeMapError } from '../../core/errors';
import type { StacScene } from '../../ipc/stacSchemas';
import { fetchStacJson, hostOf, type StacRequestOptions } from './stacHttp';
import { sceneOfItem } from './stacScene';

export async function readStacItem(url: string, options: StacRequestOptions = {}): Promise<StacScene> {
  if (!/^https?:\/\//i.test(url)) {
    throw new ChangeMapError(
      'STAC_BAD_ADDRESS',
      `"${url.slice(0, 200)}" is not an http(s) address of a STAC item.`,
    );
  }
  const json = await fetchStacJson({ url }, options);
  let stac;
  try {
    stac = json && typeof json === 'object' && !Array.isArray(json) ? create(json) : null;
  } catch {
    stac = null;
  }
  if (!stac || stac.getObjectType() !== 'Item') {
    throw new ChangeMapError(
      'STAC_NOT_AN_ITEM',
      `${hostOf(url)} did not answer with a STAC item (a GeoJSON Feature with assets); give the item's own address.`,
    );
  }
  const item = stac as Item;
  item.setAbsoluteUrl(url);
  const scene = sceneOfItem(item);
  // A scene without an image asset is still usable when its red, green and blue bands can be stacked.
  if (scene.unusable || (!scene.asset && !scene.bands?.length)) {
    throw new ChangeMapError(
      'STAC_NO_IMAGE',
      `Item ${scene.id} cannot be used: ${scene.unusable ?? 'it has no image.'}`,
    );
  }
  return { ...scene, itemUrl: scene.itemUrl ?? url };
}
