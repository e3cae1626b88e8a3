// Zooming to a region or a layer at a scale that suits the imagery: never closer than two screen pixels per image
// pixel, whatever the region's size, so a 3 m scene and a 10 m scene each stop at their own useful detail instead of
// one fixed zoom level.
import type { Coordinate } from 'ol/coordinate';
import { getPointResolution } from 'ol/proj';
import type { MapSpace } from './mapSpace';

/** Screen pixels per image pixel at the closest zoom a fit goes to. */
export const SCREEN_PIXELS_PER_IMAGE_PIXEL = 2;

/**
 * The finest view resolution (map units per screen pixel) a fit may reach near `center` (view coordinates), for
 * imagery of `pixelSizeM` metres; pixel space counts in image pixels already. Null where the pixel size is unknown.
 */
export function closestResolution(
  space: MapSpace,
  pixelSizeM: number | null,
  center: Coordinate,
): number | null {
  if (space.kind === 'pixel') return 1 / SCREEN_PIXELS_PER_IMAGE_PIXEL;
  if (!pixelSizeM || !(pixelSizeM > 0)) return null;
  const groundPerScreenPixel = pixelSizeM / SCREEN_PIXELS_PER_IMAGE_PIXEL;
  // Web mercator stretches ground distances by 1/cos(latitude): one ground metre is more than one map unit.
  const groundPerMapUnit = getPointResolution('EPSG:3857', 1, center);
  return groundPerScreenPixel / groundPerMapUnit;
}

/** Ground metres per screen pixel at the view's centre (map units per pixel in pixel space). */
export function groundResolution(space: MapSpace, resolution: number, center: Coordinate): number {
  return space.kind === 'pixel' ? resolution : getPointResolution('EPSG:3857', resolution, center);
}

/** The imagery's pixel size in metres as a fit should use it: the finer of the two dates. */
export function finestPixelSize(sizes: ([number, number] | null | undefined)[]): number | null {
  const means = sizes
    .filter((s): s is [number, number] => !!s)
    .map(([x, y]) => (Math.abs(x) + Math.abs(y)) / 2);
  return means.length > 0 ? Math.min(...means) : null;
}
