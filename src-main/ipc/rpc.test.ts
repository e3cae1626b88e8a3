import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeMapError } from '../core/errors';
import { nodeRpcPort } from '../services/workerEntry';
import { RpcClient, serveRpc, Transferred, type RpcHandler, type RpcPort } from './rpc';

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

/** A client and a server joined by a real MessageChannel (structured clone and transfer lists, as workers use). */
function connect(handlers: Record<string, RpcHandler>, sequential = false) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  serveRpc(nodeRpcPort(port2), handlers, { failureCode: 'TEST_FAILED', sequential });
  return { client: new RpcClient(nodeRpcPort(port1)), serverPort: port2 };
}

/** Resolves when the signal aborts. */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('RpcClient and serveRpc', () => {
  it('answers a call with its value, and an error with its code', async () => {
    const { client } = connect({
      add: (r) => (r.a as number) + (r.b as number),
      refuse: () => {
        throw new ChangeMapError('NOPE', 'Not today.');
      },
      crash: () => {
        throw new Error('boom');
      },
    });
    expect(await client.call('add', { a: 2, b: 3 })).toBe(5);
    await expect(client.call('refuse')).rejects.toMatchObject({ code: 'NOPE', message: 'Not today.' });
    await expect(client.call('crash')).rejects.toMatchObject({ code: 'TEST_FAILED', message: 'boom' });
    await expect(client.call('missing')).rejects.toMatchObject({ code: 'RPC_UNKNOWN' });
    expect(client.pendingCount).toBe(0);
  });

  it('rejects every pending call, and every later one, when the other side goes away', async () => {
    const { client, serverPort } = connect({ hang: () => new Promise(() => undefined) });
    const first = client.call('hang');
    const second = client.call('hang');
    await new Promise((resolve) => setTimeout(resolve, 10));
    serverPort.close(); // the other side goes away: both ends see 'close'
    await expect(first).rejects.toMatchObject({ code: 'RPC_CLOSED' });
    await expect(second).rejects.toMatchObject({ code: 'RPC_CLOSED' });
    await expect(client.call('hang')).rejects.toMatchObject({ code: 'RPC_CLOSED' });
    expect(client.pendingCount).toBe(0);
  });

  it('gives the caller its own error for a closed side', async () => {
    let closeNow: (reason: string) => void = () => undefined;
    const port: RpcPort = {
      postMessage: () => undefined,
      onMessage: () => () => undefined,
      onClose: (listener) => {
        closeNow = listener;
        return () => undefined;
      },
    };
    const client = new RpcClient(port, { closedError: (why) => new ChangeMapError('WORKER_GONE', why) });
    const call = client.call('anything');
    closeNow('stopped (exit code 1)');
    await expect(call).rejects.toMatchObject({ code: 'WORKER_GONE', message: 'stopped (exit code 1)' });
  });

  it('times out a call with RPC_TIMEOUT and stops its work on the other side', async () => {
    let signal: AbortSignal | null = null;
    const { client } = connect({
      slow: (_r, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
    });
    await expect(client.call('slow', {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'RPC_TIMEOUT' });
    await aborted(signal!);
    expect(signal!.aborted).toBe(true);
    expect(client.pendingCount).toBe(0);
  });

  it('cancels through an AbortSignal: the call rejects at once with ABORTED and the handler is told', async () => {
    let signal: AbortSignal | null = null;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { client } = connect({
      work: (_r, context) => {
        signal = context.signal;
        started();
        return new Promise(() => undefined);
      },
    });
    const controller = new AbortController();
    const call = client.call('work', {}, { signal: controller.signal });
    await running;
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'ABORTED' });
    await aborted(signal!);
    await expect(client.call('work', {}, { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('moves typed arrays both ways with transfer lists instead of copying them', async () => {
    const { client } = connect({
      double: (r) => {
        const input = r.values as Float32Array;
        const out = input.map((v) => v * 2);
        return new Transferred(out, [out.buffer]);
      },
    });
    const values = new Float32Array([1, 2, 3]);
    const result = await client.call<Float32Array>('double', { values }, { transfer: [values.buffer] });
    expect(values.buffer.byteLength).toBe(0); // moved, not copied
    expect(Array.from(result)).toEqual([2, 4, 6]);
  });

  it('answers in order, one at a time, when asked to', async () => {
    const log: string[] = [];
    const { client } = connect(
      {
        step: async (r) => {
          log.push(`start ${r.n}`);
          await new Promise((resolve) => setTimeout(resolve, r.n === 1 ? 30 : 0));
          log.push(`end ${r.n}`);
          return r.n;
        },
      },
      true,
    );
    expect(await Promise.all([client.call('step', { n: 1 }), client.call('step', { n: 2 })])).toEqual([1, 2]);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});
