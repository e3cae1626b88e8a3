// The job engine's address (redis:// or rediss://) checked and turned into a connection for BullMQ.
import { Redis, type RedisOptions } from 'ioredis';
import { ChangeMapError } from '../../core/errors';

/** Checks a job engine address; throws ENGINE_BAD_URL with the form expected. */
export function parseEngineUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    throw new ChangeMapError(
      'ENGINE_BAD_URL',
      `The job engine "${text}" is not a Redis address; give it as redis://host:6379 (or rediss:// for TLS).`,
    );
  }
  return url;
}

/** The address without its password, for messages and logs. */
export function engineLabel(text: string): string {
  const url = parseEngineUrl(text);
  return `${url.protocol}//${url.hostname}:${url.port || 6379}`;
}

/**
 * A connection BullMQ can block on: commands wait for a reconnect instead of failing (maxRetriesPerRequest null,
 * which BullMQ's workers require), reconnecting every 0.2 s to 1 s so a Redis back after a restart is found quickly.
 */
export function engineConnection(text: string, options: RedisOptions = {}): Redis {
  parseEngineUrl(text);
  const redis = new Redis(text, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(200 * attempt, 1000),
    ...options,
  });
  // Refused connections while Redis restarts are expected: ioredis reconnects on its own, and whoever owns the
  // connection decides when an outage has lasted too long (the coordinator's watchdog, the worker's log).
  redis.on('error', () => undefined);
  return redis;
}
