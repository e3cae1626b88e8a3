// Test helpers that ask GDAL's command-line tools (gdal-bin) about files, as an independent referee.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface GdalInfo {
  size: [number, number];
  geoTransform?: number[];
  coordinateSystem?: { wkt: string };
  bands: {
    band: number;
    block: [number, number];
    type: string;
    noDataValue?: number;
    checksum?: number;
    overviews?: { size: [number, number]; checksum?: number }[];
  }[];
  metadata?: Record<string, Record<string, string>>;
}

export function gdalInfo(path: string): GdalInfo {
  const out = execFileSync('gdalinfo', ['-json', '-checksum', path], { encoding: 'utf8', stdio: 'pipe' });
  return JSON.parse(out) as GdalInfo;
}

/** Writes band-planar raw values as an ENVI file so GDAL can compute the reference checksum of the same data. */
export function writeEnvi(
  path: string,
  data: Uint8Array | Uint16Array | Float32Array,
  width: number,
  height: number,
  bands: number,
): void {
  const enviType = data instanceof Uint8Array ? 1 : data instanceof Uint16Array ? 12 : 4;
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  writeFileSync(
    path.replace(/\.[^.]+$/, '.hdr'),
    `ENVI\nsamples = ${width}\nlines = ${height}\nbands = ${bands}\nheader offset = 0\nfile type = ENVI Standard\n` +
      `data type = ${enviType}\ninterleave = bsq\nbyte order = 0\n`,
  );
}
