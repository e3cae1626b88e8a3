// Tests of the command line check its projects as the app sees them: an in-process app session calling the API.
import fs from 'node:fs';
import type { Channel, Results } from '../../ipc/contract';
import { dispatch } from '../../ipc/dispatch';
import { AppSession } from '../../services/session';

export type ApiCall = <C extends Channel>(channel: C, payload: unknown) => Promise<Results[C]>;

/** Opens `project` (where it exists) in a fresh app session, hands its API to `use`, and closes the session. */
export async function inAppSession<T>(
  userDataDir: string,
  project: string,
  use: (call: ApiCall, session: AppSession) => Promise<T>,
): Promise<T> {
  const session = new AppSession({ userDataDir, version: 'test', shell: { transport: 'in-process' } });
  const call: ApiCall = async (channel, payload) => {
    const result = await dispatch(session.handlers(), channel, payload);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as Results[typeof channel];
  };
  try {
    if (fs.existsSync(project)) await call('project:open', { path: project });
    return await use(call, session);
  } finally {
    session.dispose();
  }
}
