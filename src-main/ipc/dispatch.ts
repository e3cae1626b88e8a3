// One validating wrapper for every handler, whatever the transport: parse the request with its channel's
// schema, run the handler, and turn every outcome into the result envelope. Unknown failures become INTERNAL
// and are logged with their stack; the caller sees a message without internals.
import { ChangeMapError, isChangeMapError } from '../core/errors';
import { type ApiHandlers, type Channel, isChannel, requests, type Results } from './contract';
import { fail, ok, type Result } from './envelope';
import type { RpcHandler } from './rpc';

export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  error: (message, error) => console.error(`[changemap] ${message}`, error ?? ''),
  warn: (message) => console.warn(`[changemap] ${message}`),
};

export async function dispatch(
  handlers: ApiHandlers,
  channel: unknown,
  payload: unknown,
  logger: Logger = consoleLogger,
): Promise<Result<Results[Channel]>> {
  if (!isChannel(channel))
    return fail('UNKNOWN_CHANNEL', `There is no API channel called ${String(channel)}.`);
  const parsed = requests[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    return fail('VALIDATION', `Invalid request for ${channel}${where}: ${issue?.message ?? 'bad payload'}`);
  }
  try {
    const handler = handlers[channel] as (request: unknown) => Promise<Results[Channel]> | Results[Channel];
    return ok(await handler(parsed.data));
  } catch (error) {
    if (isChangeMapError(error)) return fail(error.code, error.message);
    const system = systemErrorCode(error);
    if (system) return fail(system.code, system.message);
    logger.error(`Unexpected failure in ${channel}`, error);
    return fail(
      'INTERNAL',
      `ChangeMap hit an unexpected problem while handling ${channel}; details are in the log.`,
    );
  }
}

/**
 * The API as one RPC handler (ipc/rpc.ts) for the transports that carry it as messages (the browser host's socket,
 * Electron's services process): a request `{ seq, type: channel, payload }`, its reply the dispatcher's envelope.
 */
export function apiRpcHandler(handlers: ApiHandlers, logger: Logger = consoleLogger): RpcHandler {
  return async (request) => {
    const result = await dispatch(handlers, request.type, request.payload, logger);
    if (!result.ok) throw new ChangeMapError(result.error.code, result.error.message);
    return result.value;
  };
}

/** Failures of the disk or the database that a planner can act on, whichever service hit them. */
function systemErrorCode(error: unknown): { code: string; message: string } | null {
  const code = (error as { code?: unknown })?.code;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return {
      code: 'DISK_FULL',
      message: 'The disk is full; the change was not saved. Free some space and try again.',
    };
  }
  if (code === 'SQLITE_READONLY' || code === 'EROFS') {
    return { code: 'PROJECT_READ_ONLY', message: 'The project is read-only; the change was not saved.' };
  }
  return null;
}
