// How a run reads a chunk for the chips it computes: as 8- or 16-bit samples where the pair offers them
// (AlignedPairSource.samples: a quarter or half of the memory of float planes, normalised as each chip is cut), else
// as float planes normalised as they are read. Either way a chip holds the same float32 values.
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
  return 'maps' in read;
}

/** Planes for reads of `length` values a date from `source`, of the kind its reads fill. */
export function makeReadPlanes(source: AlignedPairSource, length: number): ReadPlanes {
  return source.samples
    ? source.samples.planes(length)
    : (source.planes?.(length) ?? { before: new Float32Array(length), after: new Float32Array(length) });
}

/** Reads `window` of both dates for cutting chips, filling `reuse` where it is of the kind the read makes. */
export function readForChips(
  source: AlignedPairSource,
  window: PixelWindow,
  options: { signal?: AbortSignal; reuse?: ReadPlanes; normalise: Normalisation },
): Promise<ChipRead> {
  const { signal, reuse, normalise } = options;
  const floats = reuse?.before instanceof Float32Array ? (reuse as ReusablePlanes) : undefined;
  if (source.samples) {
    const samples = reuse && !floats ? (reuse as ReusableSamples) : undefined;
    return source.samples.read(window, { signal, reuse: samples, normalise });
  }
  return source.read(window, { signal, reuse: floats, normalise });
}
