// The only module that touches the transport: Electron's preload bridge when present, else the browser host's
// WebSocket (its token travels in an HttpOnly cookie set when the page was first opened).
import type { Channel, EventName, Events, Request, Results } from '../../../src-main/ipc/contract';
import type { ApiError, Result } from '../../../src-main/ipc/envelope';

interface PreloadBridge {
  invoke: Record<Channel, (payload: unknown) => Promise<Result<unknown>>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
  /** The path of a dropped file (Electron's webUtils.getPathForFile); absent in older preloads. */
  pathForFile?(file: File): string;
}

declare global {
  interface Window {
    changemap?: PreloadBridge;
  }
}

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = (payload: unknown) => void;

interface Transport {
  invoke(channel: Channel, payload: unknown): Promise<Result<unknown>>;
  on(event: EventName, listener: Listener): () => void;
}

class SocketTransport implements Transport {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private seq = 0;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly listeners = new Map<EventName, Set<Listener>>();

  private connect(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://${location.host}/api`);
      socket.onopen = () => {
        this.socket = socket;
        this.opening = null;
        resolve(socket);
      };
      socket.onerror = () => {
        this.opening = null;
        reject(
          new ApiCallError('DISCONNECTED', 'ChangeMap cannot reach its services (was the host stopped?).'),
        );
      };
      socket.onclose = () => {
        this.socket = null;
        for (const settle of this.pending.values()) {
          settle({
            ok: false,
            error: { code: 'DISCONNECTED', message: 'The connection to ChangeMap closed.' },
          });
        }
        this.pending.clear();
      };
      socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)));
    });
    return this.opening;
  }

  private receive(message: {
    seq?: number;
    result?: Result<unknown>;
    event?: EventName;
    payload?: unknown;
  }): void {
    if (message.event) {
      for (const listener of this.listeners.get(message.event) ?? []) listener(message.payload);
      return;
    }
    if (typeof message.seq === 'number' && message.result) {
      this.pending.get(message.seq)?.(message.result);
      this.pending.delete(message.seq);
    }
  }

  async invoke(channel: Channel, payload: unknown): Promise<Result<unknown>> {
    const socket = await this.connect();
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve);
      socket.send(JSON.stringify({ seq, channel, payload }));
    });
  }

  on(event: EventName, listener: Listener): () => void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    void this.connect().catch(() => undefined);
    return () => this.listeners.get(event)?.delete(listener);
  }
}

const transport: Transport = window.changemap
  ? {
      invoke: (channel, payload) => window.changemap!.invoke[channel](payload),
      on: (e, l) => window.changemap!.on(e, l),
    }
  : new SocketTransport();

/** Calls a channel and returns its result envelope. */
export function call<C extends Channel>(channel: C, payload: Request<C>): Promise<Result<Results[C]>> {
  return transport.invoke(channel, payload) as Promise<Result<Results[C]>>;
}

/** Calls a channel and returns its value, throwing ApiCallError (with the stable code) on failure. */
export async function request<C extends Channel>(channel: C, payload: Request<C>): Promise<Results[C]> {
  const result = await call(channel, payload);
  if (!result.ok) throw new ApiCallError(result.error.code, result.error.message);
  return result.value;
}

export function onEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return transport.on(event, listener as Listener);
}

export function errorOf(error: unknown): ApiError {
  if (error instanceof ApiCallError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) };
}
