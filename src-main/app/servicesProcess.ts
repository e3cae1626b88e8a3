// The main process's handle on the services utility process (workers/services.utility.ts): numbered calls with
// their replies, events, and a restart with a clear error for the calls in flight if the process dies.
import { utilityProcess, type UtilityProcess } from 'electron';
import type { EventName } from '../ipc/contract';
import { fail, type Result } from '../ipc/envelope';

type Reply = { seq: number; result: Result<unknown> } | { event: EventName; payload: unknown };

export class ServicesProcess {
  private child!: UtilityProcess;
  private seq = 0;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
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
    this.child.on('message', (message: Reply) => {
      if ('event' in message) {
        for (const listener of this.listeners) listener(message.event, message.payload);
        return;
      }
      this.pending.get(message.seq)?.(message.result);
      this.pending.delete(message.seq);
    });
    this.child.on('exit', (code) => {
      for (const settle of this.pending.values()) {
        settle(
          fail(
            'INTERNAL',
            `ChangeMap's services stopped unexpectedly (exit code ${code}); they were restarted. Reopen the project to go on.`,
          ),
        );
      }
      this.pending.clear();
      if (!this.stopping) {
        this.spawn();
        for (const listener of this.listeners) listener('project:changed', { project: null });
      }
    });
  }

  call(channel: string, payload: unknown): Promise<Result<unknown>> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve);
      this.child.postMessage({ seq, channel, payload });
    });
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
