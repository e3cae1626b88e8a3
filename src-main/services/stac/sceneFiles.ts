// Where a scene's image is kept in the project's data folder, for STAC and Planet scenes alike. Names come from the
// catalogue and are reduced to safe characters, so nothing it sends can point outside the folder.

/** `text` as a file name: safe characters only, no leading dot, at most 120 characters, never empty. */
export function safeFileName(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 120) || '_'
  );
}

/** A scene's own image asset: `<folder>/<scene id>-<asset key>.tif`, where `folder` is already safe. */
export function sceneAssetFileName(sceneId: string, assetKey: string): string {
  return `${safeFileName(sceneId)}-${safeFileName(assetKey)}.tif`;
}
