// The deployment examples name what the code uses: the worker command and the queue's wait list that KEDA scales on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CHUNK_QUEUE } from '../../src-main/services/scaleout/chunkJob';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { loadAll(text: string): unknown[] };
const read = (file: string) => readFileSync(path.join(import.meta.dirname, file), 'utf8');

it('scales the worker Deployment on the chunk queue BullMQ fills', () => {
  const [deployment, scaled] = yaml.loadAll(read('worker-deployment.yaml')) as [
    { kind: string; spec: { template: { spec: { containers: { args: string[] }[] } } } },
    { kind: string; spec: { triggers: { type: string; metadata: { listName: string } }[] } },
  ];
  expect(deployment.kind).toBe('Deployment');
  expect(deployment.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['worker', '--engine']);
  expect(scaled.kind).toBe('ScaledObject');
  expect(scaled.spec.triggers[0]).toMatchObject({
    type: 'redis',
    metadata: { listName: `bull:${CHUNK_QUEUE}:wait` },
  });
});

it('runs the worker command in the systemd unit', () => {
  expect(read('changemap-worker.service')).toMatch(
    // Node's own flags (the engine's, services/runs/engineNodeFlags.ts) may come before the script.
    /^ExecStart=\S+node (?:--\S+ )*\S+changemap\.js worker --engine redis:\/\//m,
  );
});
