// Requests between a run and the thread that reads its imagery (pairReadThread.ts, pairReadHost.ts).
import type {
  AlignedSampleChunk,
  GridSpec,
  Normalisation,
  PixelWindow,
  SampleArray,
  SampleType,
} from '../../core/raster/types';
import type { RunInputs } from './runTypes';

/** Which sample array a date's samples come in, by name (typed arrays' constructors do not cross threads). */
export type SampleKind = Extract<SampleType, 'uint8' | 'uint16'>;

export interface OpenPairRequest {
  inputs: RunInputs;
  bands: readonly string[];
}

export interface OpenedPair {
  grid: GridSpec;
  bands: number;
  /** The kinds of a date's samples where the pair offers its reads as samples (AlignedPairSource.samples). */
  samples: { before: SampleKind; after: SampleKind } | null;
}

export interface PairReadRequest {
  as: 'samples' | 'floats';
  window: PixelWindow;
  normalise?: Normalisation;
  /** Planes in shared memory for the read to fill (the caller's: it reads them once the reply comes). */
  before: SampleArray | Float32Array;
  after: SampleArray | Float32Array;
}

/** A date's read: the length of the view of the offered plane it fills, or its own array where it did not. */
export type ReadPlane = number | SampleArray | Float32Array;

export interface PairReadReply {
  before: ReadPlane;
  after: ReadPlane;
  valid: Uint8Array;
  /** Whether the read is normalised by the request's normalisation (always, for samples: through their maps). */
  normalised: boolean;
  maps?: AlignedSampleChunk['maps'];
}
