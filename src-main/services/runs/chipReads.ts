// How a run reads a chunk for the chips it computes: as 8-bit samples where the pair offers them
// (AlignedPairSource.readSamples: a quarter of the memory of float planes, normalised as each chip is cut), else as
// float planes normalised as they are read. Either way a chip holds the same float32 values.
import type {
  AlignedChunk,
  AlignedPairSource,
  AlignedSampleChunk,
  Normalisation,
  PixelWindow,
  ReusablePlanes,
  ReusableSamples,
} from '../../core/raster/types';

/** A chunk's read that its chips are cut from. */
export type ChipRead = AlignedChunk | AlignedSampleChunk;

/** The planes of a read, handed back once its chips are cut, for a later read to fill. */
export type ReadPlanes = ReusablePlanes | ReusableSamples;

export function isSampleRead(read: ChipRead): read is AlignedSampleChunk {
  return 'tables' in read;
}

/** Planes for reads of `length` values a date from `source`, of the kind its reads fill. */
export function makeReadPlanes(source: AlignedPairSource, length: number): ReadPlanes {
  return source.readSamples
    ? { before: new Uint8Array(length), after: new Uint8Array(length) }
    : { before: new Float32Array(length), after: new Float32Array(length) };
}

/** Reads `window` of both dates for cutting chips, filling `reuse` where it is of the kind the read makes. */
export function readForChips(
  source: AlignedPairSource,
  window: PixelWindow,
  options: { signal?: AbortSignal; reuse?: ReadPlanes; normalise: Normalisation },
): Promise<ChipRead> {
  const { signal, reuse, normalise } = options;
  if (source.readSamples) {
    const samples = reuse?.before instanceof Uint8Array ? (reuse as ReusableSamples) : undefined;
    return source.readSamples(window, { signal, reuse: samples, normalise });
  }
  const planes = reuse?.before instanceof Float32Array ? (reuse as ReusablePlanes) : undefined;
  return source.read(window, { signal, reuse: planes, normalise });
}
