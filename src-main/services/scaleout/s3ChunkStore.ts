// Chunk files handed from scale-out workers to the coordinator through an S3-compatible store (AWS S3, MinIO, Ceph,
// R2), for workers that share no file system with the project: a worker uploads each chunk file to
// <prefix>/<runKey>/chunks/<idx>.chunk with its sha256 in the object's metadata, the coordinator downloads it into the
// run's own chunk folder (checked against that sha256, then written atomically, so the adoption path and its
// integrity check are a local run's) and deletes the object. Credentials come from each machine's AWS environment
// (the SDK's default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role); they never
// travel in a job. The AWS SDK is loaded here only, when a run or a worker first uses a store.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as s3sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ChangeMapError } from '../../core/errors';
import { outputStoreUrl } from '../../ipc/contract';
import { writeFileAtomic } from '../fileSafety/atomicWrite';

type S3Sdk = typeof s3sdk;

export interface S3Location {
  bucket: string;
  /** Key prefix without slashes at either end ('' for the bucket's root). */
  prefix: string;
}

/** Checks an s3://bucket/prefix address by the contract's own schema; throws SCALEOUT_S3_BAD_URL. */
export function parseOutputStore(text: string): S3Location {
  const parsed = outputStoreUrl.safeParse(text);
  if (!parsed.success) {
    throw new ChangeMapError(
      'SCALEOUT_S3_BAD_URL',
      `The output store "${text}" is not an S3 address (${parsed.error.issues[0]?.message ?? 'invalid'}); give it as s3://bucket/prefix.`,
    );
  }
  const rest = text.slice('s3://'.length).replace(/\/$/, '');
  const slash = rest.indexOf('/');
  return slash < 0
    ? { bucket: rest, prefix: '' }
    : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
}

export interface S3StoreOptions {
  /** An endpoint that is not AWS (http(s)://host:port); default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS. */
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
  /** A client made by the caller (tests put middleware on it); its endpoint is then the caller's business. */
  client?: S3Client;
}

/** The endpoint a store uses: the option, else the AWS SDK's standard environment variables, else AWS itself. */
export function s3EndpointOf(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return option || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/** Refusals that another attempt would meet again (the store's address, bucket or credentials): not retried. */
export const PERMANENT_S3_FAILURES = new Set([
  'SCALEOUT_S3_BAD_URL',
  'SCALEOUT_S3_NO_BUCKET',
  'SCALEOUT_S3_DENIED',
  'SCALEOUT_S3_NO_CREDENTIALS',
]);

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export class S3ChunkStore {
  private constructor(
    private readonly sdk: S3Sdk,
    private readonly client: S3Client,
    readonly location: S3Location,
    /** The store's address for messages: s3://bucket/prefix at the endpoint. */
    readonly label: string,
    private readonly endpointLabel: string,
  ) {}

  static async open(url: string, options: S3StoreOptions = {}): Promise<S3ChunkStore> {
    const location = parseOutputStore(url);
    // The SDK is CommonJS: the command line's bundle imports it as Node does, its exports as the default export
    // only; tsx and vitest add the named ones.
    const loaded = await import('@aws-sdk/client-s3');
    const sdk = (loaded as unknown as { default?: S3Sdk }).default ?? loaded;
    const env = options.env ?? process.env;
    const endpoint = s3EndpointOf(options.endpoint, env);
    const client =
      options.client ??
      new sdk.S3Client({
        endpoint,
        // MinIO, Ceph and most S3-compatible stores serve buckets as paths, not as host names.
        forcePathStyle: endpoint !== undefined,
        region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
        // Keys in the environment given (the process's, unless a test gives another); else the SDK's own chain
        // (AWS_PROFILE, SSO, an instance or pod role).
        credentials:
          env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
            ? {
                accessKeyId: env.AWS_ACCESS_KEY_ID,
                secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
                sessionToken: env.AWS_SESSION_TOKEN,
              }
            : undefined,
        // A bucket in another AWS region than the one assumed answers with a redirect the client follows.
        followRegionRedirects: true,
        // The SDK's newer default CRC32 headers are refused by some S3-compatible stores; the chunks carry their
        // own sha256 (checked on download) and a Content-MD5 (checked by the store on upload where it does so).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    const label = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
    return new S3ChunkStore(sdk, client, location, label, endpoint ?? 'AWS S3');
  }

  /** The object of a run's chunk: <prefix>/<runKey>/chunks/<idx>.chunk. */
  keyOf(runKey: string, idx: number): string {
    return `${this.runPrefix(runKey)}chunks/${idx}.chunk`;
  }

  private urlOf(key: string): string {
    return `s3://${this.location.bucket}/${key}`;
  }

  private runPrefix(runKey: string): string {
    return `${this.location.prefix ? `${this.location.prefix}/` : ''}${runKey}/`;
  }

  /** Checks that the bucket is there and these credentials may use it (before any chunk is queued or computed). */
  async check(): Promise<void> {
    await this.attempt('check the bucket', () =>
      this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.location.bucket })),
    );
  }

  /** Whether a complete chunk object is there (an earlier attempt uploaded it): false where there is none. */
  async has(key: string): Promise<boolean> {
    try {
      const head = await this.client.send(
        new this.sdk.HeadObjectCommand({ Bucket: this.location.bucket, Key: key }),
      );
      return typeof head.Metadata?.sha256 === 'string';
    } catch (error) {
      if ((error as SdkError).$metadata?.httpStatusCode === 404) return false;
      throw this.failure('look for a chunk', error);
    }
  }

  /**
   * Uploads a chunk file with its sha256 (checked by the coordinator on download) and its MD5 (checked by the store
   * where it does), then reads the object's size and sha256 back: a cut upload is refused here, not later.
   */
  async upload(key: string, file: string): Promise<void> {
    const bytes = await readFile(file);
    const digest = sha256(bytes);
    await this.attempt('upload a chunk', () =>
      this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.location.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentMD5: createHash('md5').update(bytes).digest('base64'),
          Metadata: { sha256: digest },
        }),
      ),
    );
    const head = await this.attempt('check an uploaded chunk', () =>
      this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.location.bucket, Key: key })),
    );
    if (head.ContentLength !== bytes.length || head.Metadata?.sha256 !== digest) {
      throw new ChangeMapError(
        'SCALEOUT_S3_UPLOAD_INCOMPLETE',
        `The chunk uploaded to ${this.urlOf(key)} at ${this.endpointLabel} holds ${head.ContentLength ?? '?'} of ${bytes.length} bytes; it is uploaded again (check the store's free space and any proxy in between if this repeats).`,
      );
    }
  }

  /**
   * Downloads a chunk object into `target` atomically, after checking its size and sha256 against what its worker
   * uploaded; false where there is no object. A damaged object is deleted (a resume computes its chunk again) and
   * refused with SCALEOUT_S3_CORRUPT: nothing is written.
   */
  async download(key: string, target: string): Promise<boolean> {
    let bytes: Uint8Array;
    let expected: string | undefined;
    let length: number | undefined;
    try {
      const object = await this.client.send(
        new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: key }),
      );
      bytes = await object.Body!.transformToByteArray();
      expected = object.Metadata?.sha256;
      length = object.ContentLength;
    } catch (error) {
      if ((error as SdkError).$metadata?.httpStatusCode === 404) return false;
      throw this.failure('download a chunk', error);
    }
    const actual = sha256(bytes);
    if (length !== bytes.length || actual !== expected) {
      await this.remove(key).catch(() => undefined);
      throw new ChangeMapError(
        'SCALEOUT_S3_CORRUPT',
        `The chunk file ${this.urlOf(key)} differs from what its worker uploaded (sha256 ${actual.slice(0, 12)}..., expected ${expected?.slice(0, 12) ?? 'none'}...); it was deleted: resume the run to compute it again.`,
      );
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, [bytes], { overwrite: true, codePrefix: 'RUN' });
    return true;
  }

  async remove(key: string): Promise<void> {
    await this.attempt('delete a chunk', () =>
      this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.location.bucket, Key: key })),
    );
  }

  /** Deletes every object left under the run's prefix (chunks adopted but not yet deleted); resolves with the count. */
  async removeRun(runKey: string): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.attempt('list a run', () =>
        this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: this.runPrefix(runKey),
            ContinuationToken: token,
          }),
        ),
      );
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) {
        await this.attempt('delete a run', () =>
          this.client.send(
            new this.sdk.DeleteObjectsCommand({
              Bucket: this.location.bucket,
              Delete: { Objects: keys, Quiet: true },
            }),
          ),
        );
        removed += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  /** The keys under the run's prefix (tests and diagnostics). */
  async list(runKey: string): Promise<string[]> {
    const page = await this.attempt('list a run', () =>
      this.client.send(
        new this.sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: this.runPrefix(runKey) }),
      ),
    );
    return (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
  }

  close(): void {
    this.client.destroy();
  }

  /** One request to the store; its failure as ChangeMap's error. */
  private async attempt<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /** The SDK's error as ChangeMap's code and one sentence with the next step. */
  private failure(what: string, error: unknown): ChangeMapError {
    const e = error as SdkError;
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? '';
    const at = `${this.label} at ${this.endpointLabel}`;
    if (name === 'NoSuchBucket' || (name === 'NotFound' && what === 'check the bucket')) {
      return new ChangeMapError(
        'SCALEOUT_S3_NO_BUCKET',
        `The bucket "${this.location.bucket}" does not exist at ${this.endpointLabel}; create it (aws s3 mb s3://${this.location.bucket}, or the store's console) or name another in --output.`,
        { cause: error },
      );
    }
    if (
      status === 403 ||
      ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden'].includes(name)
    ) {
      return new ChangeMapError(
        'SCALEOUT_S3_DENIED',
        `${at} refused to let this machine ${what}${name && name !== 'Unknown' ? ` (${name})` : ''}; give it credentials that may read, write and delete there (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).`,
        { cause: error },
      );
    }
    if (name === 'CredentialsProviderError') {
      return new ChangeMapError(
        'SCALEOUT_S3_NO_CREDENTIALS',
        `No S3 credentials were found on this machine to ${what} in ${at}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).`,
        { cause: error },
      );
    }
    if (status === undefined) {
      return new ChangeMapError(
        'SCALEOUT_S3_UNREACHABLE',
        `The S3 store ${at} did not answer when this machine tried to ${what} (${e.code ?? e.message ?? name}); check --s3-endpoint (or AWS_ENDPOINT_URL_S3) and the network.`,
        { cause: error },
      );
    }
    return new ChangeMapError(
      'SCALEOUT_S3_FAILED',
      `The S3 store ${at} refused to ${what} (${name || status}: ${e.message ?? ''}); check the store's log and try again.`,
      { cause: error },
    );
  }
}
