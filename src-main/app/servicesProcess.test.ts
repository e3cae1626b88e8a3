// Restarting the services process: exponential backoff, a limit after which the user is told, calls answered with
// clear errors throughout. A stand-in child (Electron's binary is not on this machine) that dies when told to.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({
  utilityProcess: {
    fork: () => {
      throw new Error('tests hand in their own fork');
    },
  },
}));

import type { EventName } from '../ipc/contract';
import { ServicesProcess, SERVICES_STOPPED, type RestartPolicy, type ServicesChild } from './servicesProcess';

/** A services process that answers every call with its own number, and dies on demand. */
class FakeChild extends EventEmitter implements ServicesChild {
  killed = false;
  constructor(readonly generation: number) {
    super();
  }
  postMessage(message: unknown): void {
    const { seq } = message as { seq: number };
    queueMicrotask(() => this.emit('message', { seq, ok: true, value: this.generation }));
  }
  die(code = 1): void {
    this.emit('exit', code);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

const POLICY: RestartPolicy = { firstDelayMs: 100, maxDelayMs: 1000, maxRestarts: 5, stableAfterMs: 10_000 };

describe('ServicesProcess restarts', () => {
  let children: FakeChild[];
  let forkTimes: number[];
  let events: { event: EventName; payload: unknown }[];
  let told: string[];
  let services: ServicesProcess;
  const current = () => children[children.length - 1];

  beforeEach(() => {
    vi.useFakeTimers();
    children = [];
    forkTimes = [];
    events = [];
    told = [];
    services = new ServicesProcess(
      'services.utility.js',
      {},
      {
        policy: POLICY,
        fork: () => {
          forkTimes.push(Date.now());
          const child = new FakeChild(children.length);
          children.push(child);
          return child;
        },
        onGiveUp: (message) => told.push(message),
      },
    );
    services.onEvent((event, payload) => events.push({ event, payload }));
  });
  afterEach(() => vi.useRealTimers());

  it('restarts a child that keeps dying with doubling waits, capped, then gives up and tells the user', async () => {
    const start = forkTimes[0];
    for (let death = 1; death <= POLICY.maxRestarts; death++) {
      current().die();
      const before = children.length;
      await vi.advanceTimersByTimeAsync(ServicesProcess.backoffMs(POLICY, death) - 1);
      expect(children.length).toBe(before); // not restarted before its wait is over
      await vi.advanceTimersByTimeAsync(1);
      expect(children.length).toBe(before + 1);
    }
    // Waits 100, 200, 400, 800, then capped at 1000.
    expect(forkTimes.map((t) => t - start)).toEqual([0, 100, 300, 700, 1500, 2500]);

    current().die();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(POLICY.maxRestarts + 1); // given up: no more restarts
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/stopped unexpectedly 6 times in a row.*restart ChangeMap/);
    expect(events).toContainEqual({ event: 'log:warning', payload: { message: told[0] } });
    expect(services.stopped).toBe(true);
    expect(await services.call('project:current', {})).toEqual({
      ok: false,
      error: { code: SERVICES_STOPPED, message: told[0] },
    });
  });

  it('answers calls from the restarted child, and a call in flight when it died gets a clear error', async () => {
    expect(await services.call('project:current', {})).toEqual({ ok: true, value: 0 });
    const first = current();
    first.postMessage = () => undefined; // never answers
    const inFlight = services.call('project:current', {});
    first.die();
    expect(await inFlight).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringMatching(/being restarted.*Reopen the project/) },
    });
    expect(events).toContainEqual({ event: 'project:changed', payload: { project: null } });
    await vi.advanceTimersByTimeAsync(POLICY.firstDelayMs);
    expect(await services.call('project:current', {})).toEqual({ ok: true, value: 1 });
  });

  it('starts the count afresh after a child that ran a long while', async () => {
    for (let i = 0; i < 3; i++) {
      current().die();
      await vi.advanceTimersByTimeAsync(ServicesProcess.backoffMs(POLICY, i + 1));
    }
    await vi.advanceTimersByTimeAsync(POLICY.stableAfterMs);
    const before = children.length;
    current().die();
    await vi.advanceTimersByTimeAsync(POLICY.firstDelayMs);
    expect(children.length).toBe(before + 1); // back to the first, shortest wait
  });

  it('does not restart a child stopped on purpose', async () => {
    current().die();
    services.stop(); // quitting while a restart is pending
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(1);
    expect(told).toEqual([]);
  });
});

describe('ServicesProcess environment', () => {
  it('asks for the environment again at each restart (a Planet key set since the start reaches the new process)', async () => {
    vi.useFakeTimers();
    try {
      const envs: Record<string, string>[] = [];
      const children: FakeChild[] = [];
      let key = '';
      const services = new ServicesProcess('services.utility.js', () => ({ PL_API_KEY: key }), {
        policy: POLICY,
        fork: (_entry, env) => {
          envs.push(env);
          const child = new FakeChild(children.length);
          children.push(child);
          return child;
        },
      });
      key = 'PLAKset-after-start';
      children[0].die();
      await vi.advanceTimersByTimeAsync(POLICY.firstDelayMs);
      expect(envs).toEqual([{ PL_API_KEY: '' }, { PL_API_KEY: 'PLAKset-after-start' }]);
      services.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
