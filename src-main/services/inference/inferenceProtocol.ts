// One worker protocol for inference: `{ seq, type, ... }` requests, `{ seq, ok, value | error }` replies, typed
// arrays moved with transfer lists. Transport-agnostic: anything with postMessage and a message listener
// (worker_threads' parentPort, an Electron utility process' parentPort, a MessageChannel) can carry it.
import type { ProviderId, ProviderRequest } from './providers';

export interface LoadRequest {
  seq: number;
  type: 'load';
  cardPath: string;
  provider: ProviderRequest;
  threads?: number;
}
export interface PredictRequest {
  seq: number;
  type: 'predict';
  before: Float32Array;
  after: Float32Array;
  n: number;
}
export interface DisposeRequest {
  seq: number;
  type: 'dispose';
}
export type InferenceRequest = LoadRequest | PredictRequest | DisposeRequest;

export interface LoadedInfo {
  name: string;
  version: string;
  sha256: string;
  chipSize: number;
  bands: number;
  /** The card's band roles in input order (red, green, blue, nir). */
  bandRoles: string[];
  mean: number[];
  std: number[];
  threshold: number;
  /** The card's ground sampling range (m per pixel), for the out-of-range warning. */
  gsdRangeM: [number, number];
  providerUsed: ProviderId;
  warnings: string[];
}

/** A batch's probabilities and how long the provider was busy with it. */
export interface PredictResult {
  probability: Float32Array;
  millis: number;
}

export type InferenceReply =
  | { seq: number; ok: true; value: LoadedInfo | PredictResult | null }
  | { seq: number; ok: false; error: { code: string; message: string } };

/** The part of a message port the protocol needs. */
export interface PortLike {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}
