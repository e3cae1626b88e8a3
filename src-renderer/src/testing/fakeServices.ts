// The services as the renderer's unit tests see them: a fake preload bridge (window.changemap) so the stores go
// through the real lib/api.ts, with handlers a test sets per channel, every call recorded, and events it emits.
import type { Channel, EventName, Events, Request, Results } from '../../../src-main/ipc/contract';
import type { Result } from '../../../src-main/ipc/envelope';

type Handler<C extends Channel> = (payload: Request<C>) => Results[C] | Promise<Results[C]>;

/** A failure a handler throws: it reaches the store as `{ ok: false, error: { code, message } }`. */
export class FakeServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeServices {
  readonly calls: { channel: Channel; payload: unknown }[] = [];
  private handlers = new Map<Channel, (payload: never) => unknown>();
  private listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  readonly bridge = {
    invoke: new Proxy({} as Record<Channel, (payload: unknown) => Promise<Result<unknown>>>, {
      get: (_target, channel: string) => (payload: unknown) => this.invoke(channel as Channel, payload),
    }),
    on: (event: EventName, listener: (payload: unknown) => void): (() => void) => {
      if (!this.listeners.has(event)) this.listeners.set(event, new Set());
      this.listeners.get(event)!.add(listener);
      return () => this.listeners.get(event)?.delete(listener);
    },
  };

  handle<C extends Channel>(channel: C, handler: Handler<C>): void {
    this.handlers.set(channel, handler as (payload: never) => unknown);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }

  /** The payloads of the calls made to one channel, oldest first. */
  callsTo<C extends Channel>(channel: C): Request<C>[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.payload as Request<C>);
  }

  /** Forgets handlers and recorded calls (listeners stay: stores subscribe once). */
  reset(): void {
    this.calls.length = 0;
    this.handlers.clear();
  }

  private async invoke(channel: Channel, payload: unknown): Promise<Result<unknown>> {
    this.calls.push({ channel, payload });
    const handler = this.handlers.get(channel);
    if (!handler)
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `No fake for ${channel}.` } };
    try {
      return { ok: true, value: await handler(payload as never) };
    } catch (error) {
      const code = error instanceof FakeServiceError ? error.code : 'INTERNAL';
      return { ok: false, error: { code, message: (error as Error).message } };
    }
  }
}

/** Signals the stores raised ("regions:ready", "error:CODE", ...), oldest first. */
export function raisedSignals(): string[] {
  return (globalThis as unknown as { window: Window }).window.__changemapSignals ?? [];
}

export const services = new FakeServices();
