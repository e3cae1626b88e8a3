// Shared raster vocabulary. Pure types: used by core, services, workers and the renderer contract.

/** A rectangle of pixels in some grid, top-left origin. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * GDAL-order affine geotransform: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight].
 * Pixel (col,row) top-left corner maps to X = gt[0] + col*gt[1] + row*gt[2], Y = gt[3] + col*gt[4] + row*gt[5].
 */
export type GeoTransform = [number, number, number, number, number, number];

/** A coordinate reference system as ChangeMap knows it. */
export interface CrsInfo {
  /** e.g. "EPSG:32633"; null for an image without georeference (pixel space). */
  code: string | null;
  /** Human name, e.g. "WGS 84 / UTM zone 33N". */
  name: string;
  /** proj4 definition string; null for pixel space. */
  proj4: string | null;
  /** Linear unit of the CRS axes: metres, degrees or pixels. */
  units: 'm' | 'degree' | 'pixel';
}

/** A raster grid: size, georeference and CRS. */
export interface GridSpec {
  width: number;
  height: number;
  geoTransform: GeoTransform;
  crs: CrsInfo;
}

export const BAND_ROLES = ['red', 'green', 'blue', 'nir', 'alpha', 'other'] as const;
export type BandRole = (typeof BAND_ROLES)[number];

export type SampleType = 'uint8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/**
 * One chunk of the analysis grid, read from both dates and aligned: band-interleaved-by-plane float32
 * (band b, row r, col c at [b*h*w + r*w + c]), scaled to the unit range by the data-type rules, and a validity
 * mask (1 = valid in both dates).
 */
export interface AlignedChunk {
  window: PixelWindow;
  bands: number;
  before: Float32Array;
  after: Float32Array;
  valid: Uint8Array;
  /**
   * Set when the source already applied this normalisation (the one asked for in the read's options): invalid
   * pixels then hold its fill in both dates. Absent: the planes are in the unit range.
   */
  normalisedBy?: Normalisation;
}

/** A model card's step 2, (x - mean) / std per band, and what padding and invalid pixels hold. */
export interface Normalisation {
  mean: readonly number[];
  std: readonly number[];
  /** Unit-scaled value of padding and invalid pixels per band; absent: the band mean (see modelCard.ts). */
  fill?: readonly number[];
}

/** Float planes of an earlier read the caller is done with, offered for the next read to fill. */
export interface ReusablePlanes {
  before: Float32Array;
  after: Float32Array;
}

/** Samples a run can keep as read: 8- or 16-bit unsigned integers, each standing for its band's table entry. */
export type SampleArray = Uint8Array | Uint16Array;

/**
 * How a band's samples become the normalised values a model reads (unit scaling and the card's (x - mean) / std in
 * one): sample * scale + offset, limited to lo..hi where clamp (a percentile stretch's limits), stored as float32.
 */
export interface SampleMap {
  scale: number;
  offset: number;
  lo: number;
  hi: number;
  clamp: boolean;
}

/**
 * One chunk of both dates as their samples (8- or 16-bit, each date its own), band-planar as in AlignedChunk, for a
 * reader that normalises while it copies them out (a run cutting chips): a quarter (8-bit) or half (16-bit) of the
 * memory of float planes. `maps.before[b]` turns a sample of band b into the normalised value AlignedChunk's
 * `normalisedBy` planes hold for it; an invalid pixel stands for the normalisation's fill, whatever its samples hold.
 */
export interface AlignedSampleChunk {
  window: PixelWindow;
  bands: number;
  before: SampleArray;
  after: SampleArray;
  valid: Uint8Array;
  maps: { before: readonly SampleMap[]; after: readonly SampleMap[] };
  normalisedBy: Normalisation;
}

/** Sample planes of an earlier read the caller is done with, offered for the next read to fill. */
export interface ReusableSamples {
  before: SampleArray;
  after: SampleArray;
}

/** A pair's reads as samples (AlignedPairSource.samples). */
export interface SampleReader {
  read(window: PixelWindow, options: SampleReadOptions): Promise<AlignedSampleChunk>;
  /** Planes of `length` samples a date, of the types its reads fill (to offer back as SampleReadOptions.reuse). */
  planes(length: number): ReusableSamples;
}

export interface SampleReadOptions {
  signal?: AbortSignal;
  /** As AlignedReadOptions.reuse. */
  reuse?: ReusableSamples;
  normalise: Normalisation;
}

export interface AlignedReadOptions {
  signal?: AbortSignal;
  /**
   * Planes a source may fill instead of allocating, where they hold at least the window's pixels times the bands:
   * the chunk's planes are then views of their start, every element of the views overwritten. A run reads a chunk's
   * 60 MiB of planes at a time, and fresh ones for each chunk are zero-filled pages and garbage. A source may ignore
   * them.
   */
  reuse?: ReusablePlanes;
  /**
   * Normalise as well, in the same pass as the unit scaling (a run's largest main-thread cost when done apart). A
   * source that does sets the chunk's `normalisedBy`; one that does not leaves it to the caller.
   */
  normalise?: Normalisation;
}

/** Reads aligned windows of a before/after pair on one analysis grid. Implemented by the imagery service. */
export interface AlignedPairSource {
  readonly grid: GridSpec;
  readonly bands: number;
  read(window: PixelWindow, options?: AlignedReadOptions): Promise<AlignedChunk>;
  /**
   * Present where both dates are 8- or 16-bit unsigned integers and neither is resampled: the same pixels as `read`
   * with `normalise`, kept as samples. A run's read planes are its largest buffers (two pairs of 117 MiB as float at
   * a 1536-px chunk with 656-px chips), and most imagery is 8- or 16-bit.
   */
  readonly samples?: SampleReader;
  /**
   * Float planes of `length` values a date for `read` to fill, where the source needs planes of its own kind (one
   * reading on another thread fills shared memory); absent: any Float32Arrays.
   */
  planes?(length: number): ReusablePlanes;
  close(): Promise<void>;
}
