// The shell's native open/save dialogs (Electron). The browser host has none: callers show the in-app FilePicker
// when AppInfo.nativeDialogs is false, so these are only called where they can answer.
import { request } from './api';

/** ".tif" -> "tif": the dialogs take bare extensions. */
const bare = (extensions: string[]): string[] => extensions.map((e) => e.replace(/^\./, '').toLowerCase());

/** Files chosen in the native open dialog; [] when the user cancelled. */
export async function pickFilesNatively(
  title: string,
  extensions: string[],
  multiple: boolean,
): Promise<string[]> {
  return (await request('dialog:pickFiles', { title, extensions: bare(extensions), multiple })) ?? [];
}

/** A destination chosen in the native save dialog; null when the user cancelled. */
export function pickSavePathNatively(
  title: string,
  extension: string,
  defaultPath?: string,
): Promise<string | null> {
  return request('dialog:pickSavePath', {
    title,
    extension: bare([extension])[0],
    defaultPath: defaultPath || undefined,
  });
}

/** The file-system paths of dropped files, where the desktop app's preload can tell them; null in a browser. */
export function droppedPaths(files: FileList | File[]): string[] | null {
  const bridge = window.changemap;
  if (!bridge?.pathForFile) return null;
  return [...files].map((f) => bridge.pathForFile!(f)).filter((p) => p.length > 0);
}
