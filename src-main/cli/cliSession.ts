// The services the command line works through: the app's own session and API handlers, called in-process with
// the contract's requests (validated by dispatch, like every other transport), so a project made or changed here
// is the project the app would have made.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChangeMapError } from '../core/errors';
import type { Channel, ImageryState, MapView, Request, Results } from '../ipc/contract';
import { dispatch } from '../ipc/dispatch';
import { removeProjectFiles } from '../services/project/projectStore';
import { AppSession } from '../services/session';
import { defaultUserDataDir } from '../services/userData';
import { packageVersion } from './packageVersion';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliSession {
  session: AppSession;
  /** One API call; a failure throws a ChangeMapError with the contract's code. */
  call<C extends Channel>(channel: C, request: Request<C>): Promise<Results[C]>;
  dispose(): void;
}

export function cliSession(): CliSession {
  const session = new AppSession({
    userDataDir: defaultUserDataDir(),
    version: packageVersion(),
    shell: { transport: 'in-process' },
    modelsDir: path.join(repoRoot, 'models'),
  });
  const handlers = session.handlers();
  return {
    session,
    async call(channel, request) {
      const result = await dispatch(handlers, channel, request);
      if (!result.ok) throw new ChangeMapError(result.error.code, result.error.message);
      return result.value as Results[typeof channel];
    },
    dispose: () => session.dispose(),
  };
}

/**
 * Opens the project, or creates it where no file is yet (as `changemap run` does); returns whether it was created, so
 * a command refused afterwards can take it away again (discardCreated).
 */
export async function openOrCreate(cli: CliSession, file: string): Promise<'opened' | 'created'> {
  const absolute = path.resolve(file);
  if (fs.existsSync(absolute)) {
    await cli.call('project:open', { path: absolute });
    return 'opened';
  }
  await cli.call('project:create', { path: absolute });
  return 'created';
}

/** Closes and deletes a project this command created: a refused command leaves nothing behind. */
export async function discardCreated(cli: CliSession): Promise<void> {
  const file = cli.session.requireProject().file; // as created (a name without .gpkg gets it)
  cli.session.closeProject();
  removeProjectFiles(file);
  await cli.call('recent:remove', { path: file });
}

/**
 * The map view a project opens on: its imagery's footprint, zoomed to fit it (a web-mercator zoom level whose
 * world width holds the footprint about twice over a 1000-pixel map). Null without georeference.
 */
export function mapViewOn(imagery: ImageryState): MapView | null {
  const footprint = imagery.before?.footprint;
  if (!footprint) return null;
  const lons = footprint.map((p) => p[0]);
  const lats = footprint.map((p) => p[1]);
  const span = Math.max(Math.max(...lons) - Math.min(...lons), 1e-6);
  const zoom = Math.min(18, Math.max(2, Math.floor(Math.log2((360 * 1000) / (256 * 2 * span)))));
  return {
    center: [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2],
    zoom,
  };
}
