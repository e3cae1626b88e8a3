// The main process's handle on the services utility process (workers/services.utility.ts): calls through the one
// request/response protocol (ipc/rpc.ts), events, and a restart with a clear error for the calls in flight if
// the process dies.
import { utilityProcess, type UtilityProcess } from 'electron';
import { ChangeMapError, isChangeMapError } from '../core/errors';
import type { EventName } from '../ipc/contract';
import { fail, ok, type Result } from '../ipc/envelope';
import { RpcClient, type RpcPort } from '../ipc/rpc';

type EventMessage = { event: EventName; payload: unknown };

/** The utility process as the RPC protocol's port; its exit closes the port. */
function childPort(child: UtilityProcess): RpcPort {
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
  private child!: UtilityProcess;
  private client!: RpcClient;
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();
  private stopping = false;

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {
    this.spawn();
  }

  private spawn(): void {
    this.child = utilityProcess.fork(this.entry, [], {
      serviceName: 'ChangeMap services',
      env: { ...process.env, ...this.env },
      stdio: 'inherit',
    });
    this.client = new RpcClient(childPort(this.child), {
      closedError: (reason) =>
        new ChangeMapError(
          'INTERNAL',
          `ChangeMap's services stopped unexpectedly (${reason}); they were restarted. Reopen the project to go on.`,
        ),
    });
    this.child.on('message', (message: EventMessage) => {
      if (!('event' in message)) return; // replies are the client's
      for (const listener of this.listeners) listener(message.event, message.payload);
    });
    this.child.on('exit', () => {
      if (this.stopping) return;
      this.spawn();
      for (const listener of this.listeners) listener('project:changed', { project: null });
    });
  }

  async call(channel: string, payload: unknown): Promise<Result<unknown>> {
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
    this.child.kill();
  }
}
