// The S3 output store against a real S3-speaking server (s3rver on a loopback port): a chunk file's round trip,
// the refusals a user meets (a bad address, a missing bucket, wrong credentials, no store at the endpoint), and an
// upload cut or damaged on its way (a middleware on the SDK's request changes the bytes after ChangeMap sent them)
// refused before anything reaches the run's chunk folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkStore } from '../runs/chunkStore';
import { outputStoreOf } from './outputStoreChoice';
import { parseOutputStore, S3ChunkStore } from './s3ChunkStore';
import { S3RVER_ENV, TestS3 } from './testing/s3Server';
// @ts-expect-error plain JavaScript build script without types
import { cliBuildOptions } from '../../../scripts/build-cli.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-s3store-'));
const RUN = '0123456789abcdef';
const WINDOW = { x: 256, y: 0, width: 64, height: 48 };
let server: TestS3;
let chunkFile: string;
const stores: S3ChunkStore[] = [];

beforeAll(async () => {
  server = await TestS3.start(['chunks']);
  const local = new ChunkStore(path.join(dir, 'worker'));
  const data = new Uint8Array(WINDOW.width * WINDOW.height).map((_, i) => (i * 7) % 255);
  chunkFile = await local.write({ idx: 3, window: WINDOW, data });
});
afterAll(async () => {
  for (const s of stores) s.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function open(url: string, env: NodeJS.ProcessEnv = S3RVER_ENV, client?: S3Client) {
  const store = await S3ChunkStore.open(url, { endpoint: server.endpoint, env, client });
  stores.push(store);
  return store;
}

/** A client as the store makes one, whose PutObject bodies `change` alters after ChangeMap handed them over. */
function clientAltering(change: (body: Uint8Array) => Uint8Array): S3Client {
  const client = new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: {
      accessKeyId: S3RVER_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: S3RVER_ENV.AWS_SECRET_ACCESS_KEY,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      if (context.commandName === 'PutObjectCommand' && request.body instanceof Uint8Array) {
        request.body = change(request.body);
        request.headers['content-length'] = String((request.body as Uint8Array).length);
      }
      return next(args);
    },
    { step: 'build' },
  );
  return client;
}

describe('the s3:// address', () => {
  it('is split into bucket and prefix', () => {
    expect(parseOutputStore('s3://cm-chunks/county/2026/')).toEqual({
      bucket: 'cm-chunks',
      prefix: 'county/2026',
    });
    expect(parseOutputStore('s3://cm-chunks')).toEqual({ bucket: 'cm-chunks', prefix: '' });
  });

  it.each(['http://cm-chunks/x', 's3://Chunks/x', 's3://cm-chunks/../x', 's3://cm-chunks//x', 's3://b'])(
    'refuses %s with its code and the form expected',
    (url) => {
      expect(() => parseOutputStore(url)).toThrow(
        expect.objectContaining({
          code: 'SCALEOUT_S3_BAD_URL',
          message: expect.stringMatching(/is not an S3 address .*give it as s3:\/\/bucket\/prefix\.$/),
        }),
      );
    },
  );

  it('is refused without a job engine, and an endpoint without a store', () => {
    expect(() => outputStoreOf({ output: 's3://cm-chunks/x' })).toThrow(
      expect.objectContaining({ code: 'SCALEOUT_OUTPUT_WITHOUT_ENGINE' }),
    );
    expect(() => outputStoreOf({ engine: 'redis://q:6379', s3Endpoint: 'http://minio:9000' })).toThrow(
      expect.objectContaining({ code: 'SCALEOUT_S3_ENDPOINT_WITHOUT_OUTPUT' }),
    );
    expect(
      outputStoreOf({ engine: 'redis://q:6379', output: 's3://cm-chunks/x', s3Endpoint: 'http://m:9000' }),
    ).toEqual({ url: 's3://cm-chunks/x', endpoint: 'http://m:9000' });
    expect(outputStoreOf({ engine: 'redis://q:6379' })).toBeUndefined();
  });
});

describe('a chunk through the store', () => {
  it('goes up, comes down intact into the chunk folder, and is deleted with its run', async () => {
    const store = await open('s3://chunks/county');
    await store.check();
    const key = store.keyOf(RUN, 3);
    expect(key).toBe(`county/${RUN}/chunks/3.chunk`);
    expect(await store.has(key)).toBe(false);
    await store.upload(key, chunkFile);
    expect(await store.has(key)).toBe(true);
    const coordinator = new ChunkStore(path.join(dir, 'coordinator'));
    expect(await store.download(key, coordinator.pathOf(3))).toBe(true);
    expect(readFileSync(coordinator.pathOf(3)).equals(readFileSync(chunkFile))).toBe(true);
    expect(await coordinator.isIntact(3, WINDOW)).toBe(true);
    // Another run's object is left alone by this run's sweep.
    await store.upload(store.keyOf('fedcba9876543210', 3), chunkFile);
    expect(await store.removeRun(RUN)).toBe(1);
    expect(await store.has(key)).toBe(false);
    expect(await store.download(key, path.join(dir, 'absent.chunk'))).toBe(false);
    expect(await store.list('fedcba9876543210')).toEqual([`county/fedcba9876543210/chunks/3.chunk`]);
  });

  it('says which bucket is missing and how to make it', async () => {
    const store = await open('s3://no-such-bucket/x');
    await expect(store.check()).rejects.toMatchObject({
      code: 'SCALEOUT_S3_NO_BUCKET',
      message: expect.stringMatching(
        /"no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+; create it/,
      ),
    });
    await expect(store.upload(store.keyOf(RUN, 1), chunkFile)).rejects.toMatchObject({
      code: 'SCALEOUT_S3_NO_BUCKET',
    });
  });

  it('says which credentials to give when the store refuses them', async () => {
    const store = await open('s3://chunks/x', { AWS_ACCESS_KEY_ID: 'WRONG', AWS_SECRET_ACCESS_KEY: 'WRONG' });
    await expect(store.upload(store.keyOf(RUN, 1), chunkFile)).rejects.toMatchObject({
      code: 'SCALEOUT_S3_DENIED',
      message: expect.stringMatching(/refused .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/),
    });
  });

  it('says to check the endpoint when nothing answers there', async () => {
    const store = await S3ChunkStore.open('s3://chunks/x', {
      endpoint: 'http://127.0.0.1:9',
      env: S3RVER_ENV,
    });
    stores.push(store);
    await expect(store.check()).rejects.toMatchObject({
      code: 'SCALEOUT_S3_UNREACHABLE',
      message: expect.stringMatching(/did not answer .*check --s3-endpoint/),
    });
  });

  it('refuses an upload cut on its way', async () => {
    const store = await open(
      's3://chunks/cut',
      S3RVER_ENV,
      clientAltering((b) => b.subarray(0, b.length - 10)),
    );
    await expect(store.upload(store.keyOf(RUN, 3), chunkFile)).rejects.toMatchObject({
      code: 'SCALEOUT_S3_UPLOAD_INCOMPLETE',
    });
  });

  it('refuses a chunk damaged on its way up when it comes down: nothing written, the object deleted', async () => {
    const flip = (b: Uint8Array) => {
      const copy = Uint8Array.from(b);
      copy[copy.length >> 1] ^= 0xff;
      return copy;
    };
    const writer = await open('s3://chunks/flipped', S3RVER_ENV, clientAltering(flip));
    const key = writer.keyOf(RUN, 3);
    await writer.upload(key, chunkFile); // same size, same metadata: only the bytes differ
    const reader = await open('s3://chunks/flipped');
    const target = path.join(dir, 'flipped', '3.chunk');
    await expect(reader.download(key, target)).rejects.toMatchObject({
      code: 'SCALEOUT_S3_CORRUPT',
      message: expect.stringMatching(/differs from what its worker uploaded .*resume the run/),
    });
    expect(existsSync(target)).toBe(false);
    expect(await reader.has(key)).toBe(false);
  });
});

describe("the command line's bundle", () => {
  it('opens the store with the SDK as the bundle imports it (CommonJS, its exports as the default export)', async () => {
    // Inside the checkout, so the bundle's packages resolve from its node_modules as out/cli's do.
    const out = path.resolve(import.meta.dirname, '../../../out');
    mkdirSync(out, { recursive: true });
    const outdir = mkdtempSync(path.join(out, 'cm-s3-bundle-'));
    try {
      await esbuild.build({ ...cliBuildOptions(outdir), sourcemap: false, logLevel: 'silent' });
      const chunk = readdirSync(outdir).find((f) => /^chunk-s3ChunkStore-.*\.js$/.test(f))!;
      const bundled = (await import(pathToFileURL(path.join(outdir, chunk)).href)) as {
        S3ChunkStore: typeof S3ChunkStore;
      };
      const store = await bundled.S3ChunkStore.open('s3://chunks/bundle', {
        endpoint: server.endpoint,
        env: S3RVER_ENV,
      });
      stores.push(store);
      await store.check();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
