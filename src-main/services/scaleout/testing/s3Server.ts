// A real S3-speaking server for the S3 output store's tests: s3rver (its own request router, signature check and
// file-system store) on a free loopback port with a temporary folder, started and stopped by the caller. Its
// credentials are s3rver's fixed test pair, given to the SDK through the standard AWS environment variables.
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

/** s3rver's own test credentials (it refuses any other access key). */
export const S3RVER_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

interface S3Event {
  Records: { eventName: string; s3: { object: { key: string } } }[];
}

interface S3rverInstance {
  store: {
    getResourcePath(bucket: string, key: string, resource: string): string;
    deleteObject(bucket: string, key: string): Promise<void>;
  };
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: S3Event) => void): void;
}

/**
 * s3rver keeps each object as files in folders named after the key's parts, and a delete removes the folders it
 * leaves empty, even while a PUT of another key in the same folder is opening its file: that PUT then dies with an
 * uncaught ENOENT inside s3rver. S3 has no folders, so a delete here removes the object's files and nothing else.
 */
function keepFolders(store: S3rverInstance['store']): void {
  store.deleteObject = async (bucket, key) => {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json'].map((resource) =>
        rm(store.getResourcePath(bucket, key, resource), { force: true }),
      ),
    );
  };
}

export class TestS3 {
  /** Every object event the server raised: `ObjectCreated:Put <key>`, `ObjectRemoved:Delete <key>`. */
  readonly events: string[] = [];

  private constructor(
    private readonly server: S3rverInstance,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** Starts s3rver on a free loopback port with these buckets made. */
  static async start(buckets: string[]): Promise<TestS3> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-s3rver-'));
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: buckets.map((name) => ({ name })),
    }) as S3rverInstance;
    keepFolders(server.store);
    const { port } = await server.run();
    const s3 = new TestS3(server, dir, port);
    server.on('event', (e) => {
      for (const r of e.Records) s3.events.push(`${r.eventName} ${decodeURIComponent(r.s3.object.key)}`);
    });
    return s3;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
