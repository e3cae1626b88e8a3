// The browser host's stand-in for native open/save dialogs (fs:list): lists folders, but only under the roots
// chosen when the app started (the home folder; `changemap serve --root DIR` adds more). The file picker needs no
// more, and a page that got hold of the token cannot map the rest of the disk: `..` is resolved before the check,
// and a symlink that leads out of the roots is refused where it leads, not where it sits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChangeMapError } from '../core/errors';
import type { DirectoryListing } from '../ipc/contract';

const inside = (file: string, folder: string) =>
  file === folder || file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);

export class FileBrowser {
  /** The roots as given (resolved), and as the file system sees them (symlinks followed). */
  readonly roots: string[];
  private readonly realRoots: string[];

  constructor(roots: readonly string[] = [os.homedir()]) {
    this.roots = [...new Set(roots.map((r) => path.resolve(r)))];
    this.realRoots = this.roots.map((r) => {
      try {
        return fs.realpathSync(r);
      } catch {
        return r; // a root that is not there (yet) confines by its name
      }
    });
  }

  private outside(target: string): ChangeMapError {
    return new ChangeMapError(
      'FS_OUTSIDE_ROOTS',
      `${target} is outside the folders ChangeMap's file browser shows (${this.roots.join(', ')}); type the file's full path instead, or start ChangeMap with \`changemap serve --root FOLDER\` to add a folder.`,
    );
  }

  /** The folder's subfolders and the files with one of the extensions (all files without any), folders first. */
  list(dir: string | undefined, extensions: string[] | undefined): DirectoryListing {
    const target = path.resolve(dir ?? this.roots[0]);
    // Checked by name first, so nothing outside the roots is even looked at (its existence stays unknown).
    const root = this.roots.find((r) => inside(target, r));
    if (!root) throw this.outside(target);
    let real: string;
    try {
      real = fs.realpathSync(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ChangeMapError('NOT_FOUND', `The folder ${target} does not exist.`);
      throw new ChangeMapError('NOT_FOUND', `The folder ${target} cannot be read (${code}).`);
    }
    if (!this.realRoots.some((r) => inside(real, r))) throw this.outside(target);
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(real, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new ChangeMapError('VALIDATION', `${target} is a file, not a folder.`);
      throw new ChangeMapError('NOT_FOUND', `The folder ${target} cannot be read (${code}).`);
    }
    const wanted = extensions?.map((e) => e.toLowerCase());
    const entries = names
      .filter((d) => !d.name.startsWith('.'))
      .filter((d) => d.isDirectory() || !wanted || wanted.some((ext) => d.name.toLowerCase().endsWith(ext)))
      .map((d) => ({
        name: d.name,
        path: path.join(target, d.name),
        kind: d.isDirectory() ? ('dir' as const) : ('file' as const),
      }))
      .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
    // A root has no parent to go up to: the picker's "up" stops there.
    const parent = target === root ? null : path.dirname(target);
    return { dir: target, parent, entries };
  }
}
