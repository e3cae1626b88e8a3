import { describe, expect, it } from 'vitest';
import { workerThreads } from './chunkWorker';

describe('a scale-out worker’s threads', () => {
  it('runs one session with every thread of the run’s sessions, unless the worker was given its own count', () => {
    expect(workerThreads({ threads: 1, sessions: 2 }, undefined)).toBe(2);
    expect(workerThreads({ threads: 4 }, undefined)).toBe(4);
    expect(workerThreads({ threads: null }, undefined)).toBeUndefined();
    expect(workerThreads({ threads: 1, sessions: 2 }, 3)).toBe(3);
  });
});
