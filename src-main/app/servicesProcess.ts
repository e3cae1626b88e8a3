// The main process's handle on the services utility process (workers/services.utility.ts): calls through the one
// request/response protocol (ipc/rpc.ts), events, and restarts with exponential backoff if the process dies: the
// calls in flight get a clear error, and after too many deaths in a row it is left down and the user is told.
import { utilityProcess } from 'electron';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import type { EventName } from '../ipc/contract';
import { fail, ok, type Result } from '../ipc/envelope';
import { RpcClient, type RpcPort } from '../ipc/rpc';
import { ENGINE_NODE_FLAGS } from '../services/runs/engineNodeFlags';

type EventMessage = { event: EventName; payload: unknown };

/** What ServicesProcess needs of Electron's UtilityProcess (a test hands in a stand-in). */
export interface ServicesChild {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: EventMessage) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  off(event: 'message', listener: (message: EventMessage) => void): unknown;
  off(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface RestartPolicy {
  /** Wait before the first restart; each death in a row doubles it, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Restarts in a row before giving up: a process that dies at once every time would otherwise spin forever. */
  maxRestarts: number;
  /** A process that ran this long before dying starts the count afresh (it was not a crash loop). */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  maxRestarts: 5,
  stableAfterMs: 60_000,
};

export interface ServicesProcessOptions {
  fork?: (entry: string, env: Record<string, string>) => ServicesChild;
  policy?: RestartPolicy;
  /** Called once when the services are given up on, with the sentence to show the user. */
  onGiveUp?: (message: string) => void;
}

/** The code of every call once the services were given up on. */
export const SERVICES_STOPPED = 'SERVICES_STOPPED';

const forkUtility = (entry: string, env: Record<string, string>): ServicesChild =>
  utilityProcess.fork(entry, [], {
    serviceName: 'ChangeMap services',
    env: { ...process.env, ...env },
    stdio: 'inherit',
    // The services run the run engine (services/runs/engineNodeFlags.ts says why).
    execArgv: [...ENGINE_NODE_FLAGS],
  });

/** The utility process as the RPC protocol's port; its exit closes the port. */
function childPort(child: ServicesChild): RpcPort {
  return {
    postMessage: (message) => child.postMessage(message),
    onMessage(listener) {
      child.on('message', listener);
      return () => child.off('message', listener);
    },
    onClose(listener) {
      const exited = (code: number) => listener(`exit code ${code}`);
      child.on('exit', exited);
      return () => child.off('exit', exited);
    },
  };
}

export class ServicesProcess {
  private child!: ServicesChild;
  private client!: RpcClient;
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();
  private readonly fork: NonNullable<ServicesProcessOptions['fork']>;
  private readonly policy: RestartPolicy;
  private stopping = false;
  private startedAt = 0;
  /** Deaths in a row (reset by a process that ran stableAfterMs). */
  private deaths = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private gaveUp: string | null = null;

  constructor(
    private readonly entry: string,
    /** A function is called at each (re)start, so a restarted process gets the environment as it is then. */
    private readonly env: Record<string, string> | (() => Record<string, string>),
    private readonly options: ServicesProcessOptions = {},
  ) {
    this.fork = options.fork ?? forkUtility;
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.spawn();
  }

  /** How long the next restart waits: firstDelayMs doubled for each earlier death in the row, capped. */
  static backoffMs(policy: RestartPolicy, deathsInARow: number): number {
    return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, deathsInARow - 1));
  }

  private spawn(): void {
    this.restartTimer = null;
    this.startedAt = Date.now();
    this.child = this.fork(this.entry, typeof this.env === 'function' ? this.env() : this.env);
    this.client = new RpcClient(childPort(this.child), {
      closedError: (reason) =>
        new ChangeMapError(
          'INTERNAL',
          `ChangeMap's services stopped unexpectedly (${reason}); they are being restarted. Reopen the project to go on.`,
        ),
    });
    this.child.on('message', (message: EventMessage) => {
      if (!('event' in message)) return; // replies are the client's
      this.emit(message.event, message.payload);
    });
    this.child.on('exit', () => this.exited());
  }

  private exited(): void {
    if (this.stopping) return;
    if (Date.now() - this.startedAt >= this.policy.stableAfterMs) this.deaths = 0;
    this.deaths += 1;
    this.emit('project:changed', { project: null });
    if (this.deaths > this.policy.maxRestarts) {
      this.gaveUp =
        `ChangeMap's services stopped unexpectedly ${this.deaths} times in a row and were not restarted again; ` +
        'restart ChangeMap, and if it keeps happening, open the project on its own to find the file that causes it.';
      this.emit('log:warning', { message: this.gaveUp });
      this.options.onGiveUp?.(this.gaveUp);
      return;
    }
    this.restartTimer = setTimeout(() => this.spawn(), ServicesProcess.backoffMs(this.policy, this.deaths));
  }

  private emit(event: EventName, payload: unknown): void {
    for (const listener of this.listeners) listener(event, payload);
  }

  /** Whether the services were given up on after too many deaths in a row. */
  get stopped(): boolean {
    return this.gaveUp !== null;
  }

  async call(channel: string, payload: unknown): Promise<Result<unknown>> {
    if (this.gaveUp) return fail(SERVICES_STOPPED, this.gaveUp);
    try {
      return ok(await this.client.call(channel, { payload }));
    } catch (error) {
      if (isChangeMapError(error)) return fail(error.code, error.message);
      return fail('INTERNAL', (error as Error)?.message ?? String(error));
    }
  }

  onEvent(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child.kill();
  }
}
