// The report's overview map: the run's change mask over the whole analysed grid, shrunk to a page (a pixel of
// the picture is change when any grid pixel under it is), as a PNG, with the largest regions' outlines in pixel
// coordinates of the picture so the report can draw and number them (SVG) crisp at any print size.
import { encode } from 'fast-png';
import type { FlatMultiPolygon } from '../../core/geo/gpkgGeometry';
import { thresholdMask } from '../../core/regions/mask';
import { gridToPixel } from '../../core/raster/geoTransform';
import type { ProbabilityRasterReader } from '../regions/probabilityReader';

export interface OverviewMap {
  png: Uint8Array;
  width: number;
  height: number;
  /** Grid pixels per picture pixel. */
  factor: number;
  /** Ground metres across the picture (null without a ground size). */
  widthM: number | null;
  /** Grid coordinates to picture pixel coordinates. */
  toPicture(x: number, y: number): [number, number];
}

const BACKGROUND = [236, 238, 240];
const NODATA = [255, 255, 255];
const CHANGE = [200, 30, 45];

/**
 * Reads the probability raster strip by strip (never the whole raster at once) and marks change at the
 * threshold; the longest side of the picture is at most maxSide pixels.
 */
export async function renderOverviewMap(
  probability: ProbabilityRasterReader,
  threshold: number,
  metresPerPixel: number | null,
  maxSide = 900,
): Promise<OverviewMap> {
  const { width: gw, height: gh, geoTransform } = probability.grid;
  const factor = Math.max(1, Math.ceil(Math.max(gw, gh) / maxSide));
  const width = Math.ceil(gw / factor);
  const height = Math.ceil(gh / factor);
  // 0: nodata only, 1: valid without change, 2: change
  const state = new Uint8Array(width * height);
  for (let y0 = 0; y0 < gh; y0 += factor * 16) {
    const rows = Math.min(factor * 16, gh - y0);
    const values = await probability.readWindow({ x: 0, y: y0, width: gw, height: rows });
    const mask = thresholdMask(values, threshold, probability.nodata);
    for (let r = 0; r < rows; r++) {
      const py = Math.floor((y0 + r) / factor);
      for (let c = 0; c < gw; c++) {
        const v = values[r * gw + c];
        if (v === probability.nodata || Number.isNaN(v)) continue;
        const o = py * width + Math.floor(c / factor);
        const s = mask[r * gw + c] === 1 ? 2 : 1;
        if (s > state[o]) state[o] = s;
      }
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < state.length; i++) {
    const colour = state[i] === 2 ? CHANGE : state[i] === 1 ? BACKGROUND : NODATA;
    rgb.set(colour, i * 3);
  }
  return {
    png: encode({ width, height, data: rgb, channels: 3, depth: 8 }),
    width,
    height,
    factor,
    widthM: metresPerPixel === null ? null : metresPerPixel * gw,
    toPicture: (x, y) => {
      const [col, row] = gridToPixel(geoTransform, x, y);
      return [col / factor, row / factor];
    },
  };
}

/** An SVG path (picture pixel coordinates) of an outline in grid coordinates. */
export function outlinePath(map: OverviewMap, outline: FlatMultiPolygon): string {
  const parts: string[] = [];
  for (const polygon of outline)
    for (const ring of polygon) {
      const points: string[] = [];
      for (let i = 0; i + 1 < ring.length; i += 2) {
        const [px, py] = map.toPicture(ring[i], ring[i + 1]);
        points.push(`${px.toFixed(1)},${py.toFixed(1)}`);
      }
      if (points.length) parts.push(`M${points.join('L')}Z`);
    }
  return parts.join('');
}
