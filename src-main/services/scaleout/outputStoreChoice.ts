// A run's S3 output store as its request gives it (run:start, run:resume): checked against the rest of the request
// here, loaded with every run service (no AWS SDK: that loads with the store itself, s3ChunkStore.ts).
import { ChangeMapError } from '../../core/errors';

export interface OutputStoreChoice {
  /** s3://bucket/prefix, checked by the contract (outputStoreUrl). */
  url: string;
  /** The store's endpoint as this machine reaches it; absent: the AWS environment's, else AWS. */
  endpoint?: string;
}

/** The request's S3 output store, or undefined for shared storage; refuses one that no job engine would use. */
export function outputStoreOf(request: {
  engine?: string;
  output?: string;
  s3Endpoint?: string;
}): OutputStoreChoice | undefined {
  if (!request.output) {
    if (request.s3Endpoint) {
      throw new ChangeMapError(
        'SCALEOUT_S3_ENDPOINT_WITHOUT_OUTPUT',
        'An S3 endpoint was given without an output store; add --output s3://bucket/prefix, or leave out --s3-endpoint.',
      );
    }
    return undefined;
  }
  if (!request.engine) {
    throw new ChangeMapError(
      'SCALEOUT_OUTPUT_WITHOUT_ENGINE',
      `The output store ${request.output} is where scale-out workers hand their chunks over; give the job engine too (--engine redis://host:6379), or leave out --output.`,
    );
  }
  return { url: request.output, endpoint: request.s3Endpoint };
}
