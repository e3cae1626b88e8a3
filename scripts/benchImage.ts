// The benchmarks' generated image: three uint8 bands of 16-pixel blocks on UTM 33N, written a band of rows at a time
// by the project's streaming writer (tiled, DEFLATE level 1), so even 20000² never sits in memory at once.
import { crsFromEpsg } from '../src-main/services/imagery/crs';
import { createGeoTiffWriter } from '../src-main/services/imagery/geotiffWriter';

export interface BenchImage {
  /** Metres per pixel. */
  pixelM: number;
  /** Added to every value: a second date that differs from the first everywhere. */
  shift?: number;
  /** Tile edge; rows are written this many at a time. */
  tileSize: number;
  overviews: boolean;
}

export async function writeBenchImage(path: string, size: number, image: BenchImage): Promise<void> {
  const { pixelM, shift = 0, tileSize, overviews } = image;
  const grid = {
    width: size,
    height: size,
    geoTransform: [500000, pixelM, 0, 5600000, 0, -pixelM] as [
      number,
      number,
      number,
      number,
      number,
      number,
    ],
    crs: crsFromEpsg(32633),
  };
  const writer = await createGeoTiffWriter(path, {
    width: size,
    height: size,
    bands: 3,
    sampleType: 'uint8',
    grid,
    deflateLevel: 1,
    overviews,
    tileSize,
  });
  const rows = tileSize;
  for (let y = 0; y < size; y += rows) {
    const h = Math.min(rows, size - y);
    const data = new Uint8Array(size * h * 3);
    for (let b = 0; b < 3; b++)
      for (let r = 0; r < h; r++)
        for (let x = 0; x < size; x++)
          data[b * size * h + r * size + x] = ((x >> 4) + ((y + r) >> 4) * 3 + b * 40 + shift) & 255;
    await writer.writeWindow({ x: 0, y, width: size, height: h }, data);
  }
  await writer.close();
}
