// Restricting a pair source to an area of interest: a sub-window of its grid (bounding box), and for a
// polygon, the pixels outside it marked invalid.
import { maskOutsidePolygon, toPixel, windowOfPoints } from '../../core/tiling/areaOfInterest';
import type {
  AlignedPairSource,
  AlignedReadOptions,
  PixelWindow,
  SampleReadOptions,
} from '../../core/raster/types';
import { fillInvalidPair } from '../../core/tiling/chips';
import { windowGeoTransform } from '../../core/raster/geoTransform';
import type { AreaOfInterest } from './runTypes';

export function clipToArea(
  source: AlignedPairSource,
  aoi: AreaOfInterest | null | undefined,
): AlignedPairSource {
  if (!aoi) return source;
  const gt = source.grid.geoTransform;
  const points: [number, number][] =
    aoi.kind === 'bbox'
      ? [
          [aoi.minX, aoi.minY],
          [aoi.maxX, aoi.maxY],
          [aoi.minX, aoi.maxY],
          [aoi.maxX, aoi.minY],
        ]
      : aoi.rings[0];
  const area = windowOfPoints(gt, points, source.grid.width, source.grid.height);
  const subGt = windowGeoTransform(gt, area);
  // Rings in pixel coordinates of the clipped grid.
  const rings =
    aoi.kind === 'polygon'
      ? aoi.rings.map((ring) => ring.map(([x, y]) => toPixel(subGt, x, y) as [number, number]))
      : null;
  return {
    grid: { ...source.grid, width: area.width, height: area.height, geoTransform: subGt },
    bands: source.bands,
    async read(window: PixelWindow, options?: AlignedReadOptions) {
      const shifted = { ...window, x: window.x + area.x, y: window.y + area.y };
      const chunk = await source.read(shifted, options);
      if (rings) {
        maskOutsidePolygon(chunk.valid, window, rings);
        // Normalised planes hold the fill where invalid: so must the pixels the polygon just masked.
        if (chunk.normalisedBy)
          fillInvalidPair(chunk.before, chunk.after, chunk.valid, chunk.bands, chunk.normalisedBy);
      }
      return { ...chunk, window };
    },
    // Samples stand for the fill wherever invalid, so the polygon's mask is all they need.
    ...(source.samples && {
      samples: {
        read: async (window: PixelWindow, options: SampleReadOptions) => {
          const shifted = { ...window, x: window.x + area.x, y: window.y + area.y };
          const chunk = await source.samples!.read(shifted, options);
          if (rings) maskOutsidePolygon(chunk.valid, window, rings);
          return { ...chunk, window };
        },
        planes: source.samples.planes,
      },
    }),
    close: () => source.close(),
  };
}
