// A Planet scene into the project's data folder: its asset activated (planetActivation.ts), then downloaded through
// the same resumable download as STAC images. Planet's download addresses are signed and expire, so Planet imagery
// is always kept as a local copy, never read by reference.
import fs from 'node:fs';
import path from 'node:path';
import { downloadImage, type DownloadProgress } from '../stac/downloadImage';
import { safeFileName, sceneAssetFileName } from '../stac/sceneFiles';
import { activatePlanetAsset, type ActivationOptions, type PlanetAssetStatus } from './planetActivation';

export interface PlanetSceneToDownload {
  id: string;
  /** The item type (the scene's collection). */
  collection: string | null;
  /** The asset type, and the item's assets address (the scene's asset as the search made it). */
  asset: { key: string; href: string };
}

export interface PlanetDownloadOptions extends ActivationOptions {
  onActivation?: (status: PlanetAssetStatus) => void;
  onProgress?: (p: DownloadProgress) => void;
  /** A stall of the download: no byte for this long. */
  idleTimeoutMs?: number;
}

/** The file a Planet scene's image is kept in: names reduced to safe characters, inside `<dataDir>/downloads`. */
export function planetSceneFile(dataDir: string, scene: PlanetSceneToDownload): string {
  return path.join(
    dataDir,
    'downloads',
    `planet-${safeFileName(scene.collection ?? 'items')}`,
    sceneAssetFileName(scene.id, scene.asset.key),
  );
}

/** Activates and downloads the scene's image (kept as it is when already downloaded); resolves with its path. */
export async function downloadPlanetScene(
  dataDir: string,
  scene: PlanetSceneToDownload,
  key: string,
  options: PlanetDownloadOptions = {},
): Promise<string> {
  const file = planetSceneFile(dataDir, scene);
  if (fs.existsSync(file)) return file;
  const location = await activatePlanetAsset(scene.asset.href, scene.asset.key, key, {
    ...options,
    onStatus: options.onActivation,
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // The signed location needs no key (it is not sent there: it may be another host).
  await downloadImage(location, file, {
    signal: options.signal,
    onProgress: options.onProgress,
    idleTimeoutMs: options.idleTimeoutMs,
  });
  return file;
}
