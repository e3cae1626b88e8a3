// `changemap unlock --project P`: takes over the lock of a project that ChangeMap on another machine holds or left
// behind (a shared folder; a JSON lock of an earlier build), which the operating system cannot settle by itself.
// A lock that a live process on this machine holds is never taken: that process is told to close it instead.
import fs from 'node:fs';
import path from 'node:path';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import { takeOverLock } from '../services/project/projectLock';
import { EXIT } from './exitCodes';

export function unlockCommand(project: string): number {
  const file = path.resolve(project);
  try {
    if (!fs.existsSync(file))
      throw new ChangeMapError('NOT_FOUND', `The project file ${file} does not exist; check the path.`);
    const owner = takeOverLock(file);
    process.stderr.write(
      owner
        ? `Took over the lock of ${path.basename(file)} from ChangeMap on ${owner.host} (process ${owner.pid}); it opens here now.\n`
        : `${path.basename(file)} is not locked; nothing to do.\n`,
    );
    return EXIT.done;
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    process.stderr.write(`changemap: ${error.message} [${error.code}]\n`);
    return EXIT.refused;
  }
}
