// The project's one request/response protocol, for every transport that carries calls between two sides (worker
// threads, Electron's utility process, the browser host's WebSocket): `{ seq, type, ... }` requests, `{ seq, ok,
// value | error }` replies, a cancel message tied to an AbortSignal, timeouts, typed arrays moved with transfer
// lists, and every pending call settled when the other side goes away. No Node or DOM code: both sides import it.
import { ChangeMapError, isChangeMapError } from '../core/errors';

export interface RpcError {
  code: string;
  message: string;
}

export type RpcRequest = { seq: number; type: string } & Record<string, unknown>;
export type RpcReply =
  { seq: number; ok: true; value: unknown } | { seq: number; ok: false; error: RpcError };
/** Abandons the request `target`; its reply then carries the ABORTED error. */
export interface RpcCancel {
  seq: number;
  type: typeof CANCEL;
  target: number;
}
export const CANCEL = 'rpc:cancel';

/** Anything that carries messages both ways: a worker, a MessagePort, a WebSocket or utility-process adapter. */
export interface RpcPort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  /** Every message from the other side; returns the function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** The other side went away (exit, crash, closed socket); returns the function that stops listening. */
  onClose?(listener: (reason: string) => void): () => void;
}

export interface CallOptions {
  /** Abort: the call rejects with ABORTED at once and the other side is told to stop. */
  signal?: AbortSignal;
  /** Rejects with RPC_TIMEOUT (and cancels on the other side) when no reply came within this many ms. */
  timeoutMs?: number;
  /** Buffers moved to the other side without a copy (they are unusable here afterwards). */
  transfer?: readonly ArrayBuffer[];
}

export interface RpcClientOptions {
  /** The error every pending and later call gets once the other side has gone away. */
  closedError?: (reason: string) => Error;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The calling side: numbers requests, matches replies, settles every call exactly once. */
export class RpcClient {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private closedBy: Error | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly port: RpcPort,
    private readonly options: RpcClientOptions = {},
  ) {
    this.unsubscribe.push(port.onMessage((message) => this.receive(message as RpcReply)));
    if (port.onClose) this.unsubscribe.push(port.onClose((reason) => this.close(reason)));
  }

  /** Calls in flight. */
  get pendingCount(): number {
    return this.pending.size;
  }

  get closed(): boolean {
    return this.closedBy !== null;
  }

  call<T = unknown>(type: string, payload: object = {}, options: CallOptions = {}): Promise<T> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const { signal, timeoutMs, transfer } = options;
    if (signal?.aborted) return Promise.reject(abortedError());
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanUp = () => {
        this.pending.delete(seq);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const giveUp = (error: Error) => {
        if (!this.pending.has(seq)) return;
        cleanUp();
        if (!this.closedBy) this.post({ seq: ++this.seq, type: CANCEL, target: seq } satisfies RpcCancel);
        reject(error);
      };
      const onAbort = () => giveUp(abortedError());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined)
        timer = setTimeout(
          () => giveUp(new ChangeMapError('RPC_TIMEOUT', `No answer to ${type} within ${timeoutMs} ms.`)),
          timeoutMs,
        );
      this.pending.set(seq, {
        resolve: (value) => {
          cleanUp();
          resolve(value as T);
        },
        reject: (error) => {
          cleanUp();
          reject(error);
        },
      });
      this.post({ ...payload, seq, type }, transfer);
    });
  }

  /** Rejects every pending call (and every later one) with the closed error; the port is no longer listened to. */
  close(reason = 'The other side has closed.'): void {
    if (this.closedBy) return;
    this.closedBy = this.options.closedError?.(reason) ?? new ChangeMapError('RPC_CLOSED', reason);
    for (const off of this.unsubscribe.splice(0)) off();
    for (const p of [...this.pending.values()]) p.reject(this.closedBy);
    this.pending.clear();
  }

  private post(message: object, transfer?: readonly ArrayBuffer[]): void {
    try {
      this.port.postMessage(message, transfer);
    } catch (error) {
      this.close(`The message could not be sent: ${(error as Error).message}`);
    }
  }

  private receive(reply: RpcReply): void {
    const p = this.pending.get(reply?.seq);
    if (!p) return; // a reply to a call that timed out or was cancelled
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new ChangeMapError(reply.error.code, reply.error.message));
  }
}

/** What a handler returns when its value holds buffers to move to the caller rather than copy. */
export class Transferred<T> {
  constructor(
    readonly value: T,
    readonly transfer: ArrayBuffer[],
  ) {}
}

export type RpcHandler = (request: RpcRequest, context: { signal: AbortSignal }) => unknown;

export interface ServeOptions {
  /** Answer one request at a time, in order (e.g. one ONNX Runtime session never runs two batches at once). */
  sequential?: boolean;
  /** The code an unexpected error gets (a ChangeMapError keeps its own). */
  failureCode: string;
}

/**
 * The answering side: runs each request's handler (one per type, or one for every type) and replies once; a cancel
 * aborts the handler's signal. Returns the function that stops listening.
 */
export function serveRpc(
  port: RpcPort,
  handlers: Record<string, RpcHandler> | RpcHandler,
  options: ServeOptions,
): () => void {
  const running = new Map<number, AbortController>();
  let queue: Promise<void> = Promise.resolve();

  const errorOf = (error: unknown, aborted: boolean): RpcError =>
    aborted
      ? { code: 'ABORTED', message: 'The request was cancelled.' }
      : isChangeMapError(error)
        ? { code: error.code, message: error.message }
        : { code: options.failureCode, message: (error as Error)?.message ?? String(error) };

  async function handle(request: RpcRequest, controller: AbortController): Promise<void> {
    let reply: RpcReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const handler = typeof handlers === 'function' ? handlers : handlers[request.type];
      if (!handler) throw new ChangeMapError('RPC_UNKNOWN', `There is no request "${request.type}".`);
      if (controller.signal.aborted) throw abortedError();
      const result = await handler(request, { signal: controller.signal });
      if (result instanceof Transferred) {
        reply = { seq: request.seq, ok: true, value: result.value };
        transfer = result.transfer;
      } else reply = { seq: request.seq, ok: true, value: result ?? null };
    } catch (error) {
      reply = { seq: request.seq, ok: false, error: errorOf(error, controller.signal.aborted) };
    } finally {
      running.delete(request.seq);
    }
    port.postMessage(reply, transfer);
  }

  return port.onMessage((message) => {
    const request = message as RpcRequest;
    if (request.type === CANCEL) {
      running.get((request as unknown as RpcCancel).target)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(request.seq, controller);
    if (options.sequential) queue = queue.then(() => handle(request, controller));
    else void handle(request, controller);
  });
}

function abortedError(): ChangeMapError {
  return new ChangeMapError('ABORTED', 'The request was cancelled.');
}
