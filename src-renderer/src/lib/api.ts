// The only module that touches the transport: Electron's preload bridge when present, else the browser host's
// WebSocket (its token travels in an HttpOnly cookie set when the page was first opened).
import type { Channel, EventName, Events, Request, Results } from '../../../src-main/ipc/contract';
import type { ApiError, Result } from '../../../src-main/ipc/envelope';
import { RpcClient, type RpcPort } from '../../../src-main/ipc/rpc';

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

/** The browser host's WebSocket as the RPC protocol's port (ipc/rpc.ts); events arrive beside the replies. */
function socketPort(socket: WebSocket): RpcPort {
  return {
    postMessage: (message) => socket.send(JSON.stringify(message)),
    onMessage(listener) {
      const receive = (message: MessageEvent) => listener(JSON.parse(String(message.data)));
      socket.addEventListener('message', receive);
      return () => socket.removeEventListener('message', receive);
    },
    onClose(listener) {
      const closed = () => listener('The connection to ChangeMap closed.');
      socket.addEventListener('close', closed);
      return () => socket.removeEventListener('close', closed);
    },
  };
}

class SocketTransport implements Transport {
  private client: RpcClient | null = null;
  private opening: Promise<RpcClient> | null = null;
  private readonly listeners = new Map<EventName, Set<Listener>>();

  private connect(): Promise<RpcClient> {
    if (this.client && !this.client.closed) return Promise.resolve(this.client);
    if (this.opening) return this.opening;
    this.opening = new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://${location.host}/api`);
      socket.onopen = () => {
        const port = socketPort(socket);
        port.onMessage((message) => this.receive(message as { event?: EventName; payload?: unknown }));
        this.client = new RpcClient(port, {
          closedError: (reason) => new ApiCallError('DISCONNECTED', reason),
        });
        this.opening = null;
        resolve(this.client);
      };
      socket.onerror = () => {
        this.opening = null;
        reject(
          new ApiCallError('DISCONNECTED', 'ChangeMap cannot reach its services (was the host stopped?).'),
        );
      };
    });
    return this.opening;
  }

  private receive(message: { event?: EventName; payload?: unknown }): void {
    if (!message.event) return; // replies are the client's
    for (const listener of this.listeners.get(message.event) ?? []) listener(message.payload);
  }

  async invoke(channel: Channel, payload: unknown): Promise<Result<unknown>> {
    try {
      const client = await this.connect();
      return { ok: true, value: await client.call(channel, { payload }) };
    } catch (error) {
      return { ok: false, error: errorOf(error) };
    }
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
  const code = (error as { code?: unknown })?.code; // a ChangeMapError from the RPC client
  if (typeof code === 'string') return { code, message: (error as Error).message };
  return { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) };
}
