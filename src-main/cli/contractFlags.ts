// Command-line flag values checked by the API contract's own schemas (src-main/ipc/contract.ts), so a flag has
// exactly the limits the app's requests have: `--chunk-size 99999` is refused with the contract's message.
import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { requests, type Channel } from '../ipc/contract';

/** The schema of one field of a channel's request, e.g. field('run:start', 'chunkSize'). */
export function field(channel: Channel, name: string): z.ZodType {
  const schema = requests[channel] as unknown as { shape: Record<string, z.ZodType> };
  const fieldSchema = schema.shape[name];
  if (!fieldSchema) throw new Error(`The contract's ${channel} request has no field ${name}.`);
  return fieldSchema;
}

function checked<T>(schema: z.ZodType, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new InvalidArgumentError(`${parsed.error.issues[0]?.message ?? 'Invalid value'}.`);
  return parsed.data as T;
}

/** A number flag parsed by the contract's schema for it. */
export function numberOf(schema: z.ZodType): (text: string) => number {
  return (text) => checked<number>(schema, text.trim() === '' ? Number.NaN : Number(text));
}

/** A text flag (an enum, a path) parsed by the contract's schema for it. */
export function textOf(schema: z.ZodType): (text: string) => string {
  return (text) => checked<string>(schema, text);
}

/** A positive run id, as every request naming a run takes it. */
export const runIdOf = numberOf(field('run:get', 'runId'));
