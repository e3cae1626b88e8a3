// The inference worker's requests and answers, carried by the project's one request/response protocol
// (ipc/rpc.ts: numbered requests, replies with a value or an error, typed arrays moved with transfer lists).
import type { ProviderId, ProviderRequest } from './providers';

export interface LoadRequest {
  type: 'load';
  cardPath: string;
  provider: ProviderRequest;
  threads?: number;
  /** A reduced-precision file from the card's variants (onnxModel.ts LoadOptions.variantFile). */
  variantFile?: string;
}
export interface PredictRequest {
  type: 'predict';
  before: Float32Array;
  after: Float32Array;
  n: number;
}
export interface DisposeRequest {
  type: 'dispose';
}
export type InferenceRequest = LoadRequest | PredictRequest | DisposeRequest;

export interface LoadedInfo {
  name: string;
  version: string;
  sha256: string;
  /** "full", or the variant's precision (int8, fp16) when a variant file is loaded. */
  precision?: 'full' | 'int8' | 'fp16';
  chipSize: number;
  /** Larger chips the model accepts (the card's chipSizes); absent: every chip is chipSize. */
  chipSizes?: { max: number; multipleOf: number };
  bands: number;
  /** The card's band roles in input order (red, green, blue, nir). */
  bandRoles: string[];
  mean: number[];
  std: number[];
  /** The card's fill for padding and invalid pixels (modelCard.ts normalisation.fill). */
  fill?: number[];
  threshold: number;
  /** The card's ground sampling range (m per pixel), for the out-of-range warning. */
  gsdRangeM: [number, number];
  providerUsed: ProviderId;
  /** ONNX Runtime's intra-op threads of the session (what a calibration compares with). */
  threads?: number;
  warnings: string[];
}

/** A batch's probabilities and how long the provider was busy with it. */
export interface PredictResult {
  probability: Float32Array;
  millis: number;
}
