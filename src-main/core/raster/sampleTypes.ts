// Sample types: TIFF encoding facts and typed-array constructors, shared by the reader and the writer.
import type { SampleType } from './types';

export type RasterArray =
  Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface SampleTypeInfo {
  bitsPerSample: number;
  /** TIFF SampleFormat: 1 unsigned integer, 2 signed integer, 3 IEEE float. */
  sampleFormat: 1 | 2 | 3;
  bytes: number;
  create(length: number): RasterArray;
}

export const SAMPLE_TYPES: Record<SampleType, SampleTypeInfo> = {
  uint8: { bitsPerSample: 8, sampleFormat: 1, bytes: 1, create: (n) => new Uint8Array(n) },
  uint16: { bitsPerSample: 16, sampleFormat: 1, bytes: 2, create: (n) => new Uint16Array(n) },
  int16: { bitsPerSample: 16, sampleFormat: 2, bytes: 2, create: (n) => new Int16Array(n) },
  uint32: { bitsPerSample: 32, sampleFormat: 1, bytes: 4, create: (n) => new Uint32Array(n) },
  int32: { bitsPerSample: 32, sampleFormat: 2, bytes: 4, create: (n) => new Int32Array(n) },
  float32: { bitsPerSample: 32, sampleFormat: 3, bytes: 4, create: (n) => new Float32Array(n) },
  float64: { bitsPerSample: 64, sampleFormat: 3, bytes: 8, create: (n) => new Float64Array(n) },
};

/** The sample type of a TIFF band from its BitsPerSample and SampleFormat tags; null if ChangeMap cannot read it. */
export function sampleTypeFromTiff(bitsPerSample: number, sampleFormat: number): SampleType | null {
  for (const [name, info] of Object.entries(SAMPLE_TYPES) as [SampleType, SampleTypeInfo][]) {
    if (info.bitsPerSample === bitsPerSample && info.sampleFormat === sampleFormat) return name;
  }
  return null;
}

export function isIntegerType(type: SampleType): boolean {
  return SAMPLE_TYPES[type].sampleFormat !== 3;
}
