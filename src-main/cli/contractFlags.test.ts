import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_SIZE } from '../core/tiling/chunkPlan';
import { MAX_INFERENCE_THREADS, requests } from '../ipc/contract';
import { field, numberOf } from './contractFlags';

describe('run limits: threads and batch size come from the contract, for the app and the command line alike', () => {
  it('refuses thread counts that would only cost memory', () => {
    expect(MAX_INFERENCE_THREADS).toBe(256);
    const threads = numberOf(field('run:start', 'threads'));
    expect(threads('256')).toBe(256);
    expect(() => threads('257')).toThrow(InvalidArgumentError);
    expect(() => threads('100000')).toThrow(/256/);
    expect(requests['run:start'].safeParse({ threads: 100_000 }).success).toBe(false);
  });

  it('refuses batches beyond the budget rule’s own ceiling', () => {
    expect(MAX_BATCH_SIZE).toBe(64);
    const batch = numberOf(field('run:start', 'batchSize'));
    expect(batch('64')).toBe(64);
    expect(() => batch('65')).toThrow(/64/);
    expect(() => batch('1024')).toThrow(InvalidArgumentError);
    expect(requests['run:start'].safeParse({ batchSize: 1024 }).success).toBe(false);
  });
});
