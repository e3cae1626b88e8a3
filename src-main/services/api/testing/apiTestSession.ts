// Tests that drive the API as the renderer does: an app session in a fresh temporary folder (its user data under
// `user/`, the test's projects and imagery beside it), the in-process shell, quiet logging, and every call through
// the dispatcher that IPC and the browser host use.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GridSpec } from '../../../core/raster/types';
import type { Channel, Events, Results } from '../../../ipc/contract';
import { dispatch } from '../../../ipc/dispatch';
import { utmGrid, writePlantedPair } from '../../imagery/testing/fixtures';
import { AppSession } from '../../session';

/** Keeps the refusals a test provokes on purpose out of its output. */
export const silentLogger = { error: () => undefined, warn: () => undefined };

/** A refusal thrown by `call`: the message names the channel, the code and the reason; `code` is the code. */
export type ApiRefusal = Error & { code: string };

export class ApiTestSession {
  /** The temporary folder, removed by `dispose`. */
  readonly dir: string;
  readonly session: AppSession;

  /** `prefix` names the temporary folder (`cm-pipeline-`). */
  constructor(prefix: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.session = new AppSession({
      userDataDir: path.join(this.dir, 'user'),
      version: 'test',
      shell: { transport: 'in-process' },
    });
  }

  /** The answer as the renderer gets it: `{ ok: true, value }` or `{ ok: false, error }`. */
  result = (channel: string, payload: unknown) =>
    dispatch(this.session.handlers(), channel, payload, silentLogger);

  /** The call's value; a refusal throws an `ApiRefusal`. */
  call = async <C extends Channel>(channel: C, payload: unknown): Promise<Results[C]> => {
    const result = await this.result(channel, payload);
    if (!result.ok)
      throw Object.assign(new Error(`${channel}: ${result.error.code} ${result.error.message}`), {
        code: result.error.code,
      });
    return result.value as Results[C];
  };

  /** The refusal of a call that must be refused (a call that succeeds fails the test). */
  refusal = async (channel: Channel, payload: unknown): Promise<{ code: string; message: string }> => {
    const result = await this.result(channel, payload);
    if (result.ok) throw new Error(`${channel} was not refused`);
    return result.error;
  };

  /** The next `name` event; rejects on a failed run (a test waiting for a run's results fails at once). */
  nextEvent = <E extends keyof Events>(name: E, timeout = 60_000): Promise<Events[E]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${name} within ${timeout} ms`));
      }, timeout);
      const off = this.session.events.subscribe((event: keyof Events, payload) => {
        if (event !== name && event !== 'run:failed') return;
        clearTimeout(timer);
        off();
        if (event === name) resolve(payload as Events[E]);
        else reject(new Error(`run failed while waiting for ${name}: ${JSON.stringify(payload)}`));
      });
    });

  /**
   * The imagery of a run with two planted changes, a bright block (a new roof) and a dark one (cleared to water):
   * `before.tif` and `after.tif` in the test's folder (384 x 320 pixels of 3 m, UTM 33N).
   */
  async writePlantedPair(): Promise<{ before: string; after: string; grid: GridSpec }> {
    const before = path.join(this.dir, 'before.tif');
    const after = path.join(this.dir, 'after.tif');
    const grid = utmGrid(384, 320, 500000, 5600000, 3);
    await writePlantedPair(before, after, grid);
    return { before, after, grid };
  }

  /** Sets the planted pair as the open project's before and after imagery. */
  async usePlantedPair(pair: { before: string; after: string }): Promise<void> {
    await this.call('imagery:setFiles', { role: 'before', uris: [pair.before] });
    await this.call('imagery:setFiles', { role: 'after', uris: [pair.after] });
  }

  dispose(): void {
    this.session.dispose();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
