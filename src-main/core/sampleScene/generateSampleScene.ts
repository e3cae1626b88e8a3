// The sample scene: a made-up but realistic-looking 3 m two-date scene in UTM zone 33N with planted land-cover
// changes and their truth, for the demo, tests and the evaluation script. Pure and deterministic for a seed.
import type { GeoTransform, GridSpec } from '../raster/types';
import { fillPolygon } from './draw';
import { layOutLandscape } from './landscape';
import { plantChanges, type PlantedChangeKind } from './plantedChanges';
import { createRandom } from './random';
import { renderDate, type DateLook } from './render';
import { addSettlements } from './settlements';
import { cloneCanvas, landCoverMap, type LandCover } from './surfaces';

export interface SampleSceneOptions {
  /** Default 20240611. */
  seed?: number;
  /** Pixels; default 2000 x 2000. */
  width?: number;
  height?: number;
  /** Ground sampling distance, metres; default 3. */
  pixelSizeM?: number;
  /** Map coordinates (EPSG:32633, metres) of the top-left corner; default in Lower Austria. */
  origin?: [number, number];
}

/** A planted change with its outline in map coordinates (EPSG:32633) and in pixels. */
export interface PlantedChange {
  id: number;
  kind: PlantedChangeKind;
  from: LandCover;
  to: LandCover;
  /** Closed ring (first vertex repeated at the end), map coordinates in metres. */
  polygon: [number, number][];
  /** Same ring in pixel coordinates of the grid (x right, y down). */
  polygonPx: [number, number][];
  /** Pixels of the truth mask set by this change. */
  pixelCount: number;
  areaM2: number;
}

export interface SampleScene {
  seed: number;
  grid: GridSpec;
  /** Band-planar RGB uint8 (band b, row r, col c at [b*h*w + r*w + c]). */
  before: Uint8Array;
  after: Uint8Array;
  /** 1 where a planted change is, else 0. */
  truth: Uint8Array;
  /** Land-cover class per pixel (index into LAND_COVER_CLASSES), before and after. */
  landCoverBefore: Uint8Array;
  landCoverAfter: Uint8Array;
  changes: PlantedChange[];
}

export const SAMPLE_SCENE_CRS = {
  code: 'EPSG:32633',
  name: 'WGS 84 / UTM zone 33N',
  proj4: '+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs',
  units: 'm',
} as const;

/** The "before" date: early summer, clear. */
const BEFORE_LOOK: Omit<DateLook, 'seed'> = {
  gain: [1, 1, 1],
  offset: [0, 0, 0],
  yellowing: 0,
  noiseSigma: 2,
  shiftPx: [0, 0],
  fieldStateChanges: 0,
};
/**
 * The "after" date: late summer, lower sun and some haze, another sensor, misregistered by a fraction of a pixel;
 * a fifth of the fields harvested, ploughed or sown since.
 */
const AFTER_LOOK: Omit<DateLook, 'seed'> = {
  gain: [1.05, 1.02, 0.95],
  offset: [5, 4, 9],
  yellowing: 0.3,
  noiseSigma: 3,
  shiftPx: [0.4, -0.3],
  fieldStateChanges: 0.2,
};

export function generateSampleScene(options: SampleSceneOptions = {}): SampleScene {
  const seed = options.seed ?? 20240611;
  const width = options.width ?? 2000;
  const height = options.height ?? 2000;
  const pixelSize = options.pixelSizeM ?? 3;
  const [originX, originY] = options.origin ?? [551_000, 5_353_200];
  const random = createRandom(seed);

  const landscape = layOutLandscape(width, height, random, seed);
  const before = landscape.canvas;
  addSettlements(before, random, landscape.mainRoads, landscape.grainAngle);
  const after = cloneCanvas(before);
  const planted = plantChanges(before, after, random, landscape.mainRoads);

  const truth = new Uint8Array(width * height);
  const geoTransform: GeoTransform = [originX, pixelSize, 0, originY, 0, -pixelSize];
  const toMap = ([x, y]: [number, number]): [number, number] => [
    originX + x * pixelSize,
    originY - y * pixelSize,
  ];
  const changes: PlantedChange[] = planted.map((change) => {
    let pixelCount = 0;
    fillPolygon(width, height, change.ringPx, (x, y) => {
      const i = y * width + x;
      if (truth[i] === 0) pixelCount++;
      truth[i] = 1;
    });
    const polygonPx = [...change.ringPx, change.ringPx[0]].map(([x, y]) => [x, y] as [number, number]);
    return {
      id: change.id,
      kind: change.kind,
      from: change.from,
      to: change.to,
      polygonPx,
      polygon: polygonPx.map(toMap),
      pixelCount,
      areaM2: pixelCount * pixelSize * pixelSize,
    };
  });

  const textureSeed = seed + 77;
  return {
    seed,
    grid: { width, height, geoTransform, crs: { ...SAMPLE_SCENE_CRS } },
    before: renderDate(before, { ...BEFORE_LOOK, seed: seed + 1 }, textureSeed),
    after: renderDate(after, { ...AFTER_LOOK, seed: seed + 2 }, textureSeed),
    truth,
    landCoverBefore: landCoverMap(before),
    landCoverAfter: landCoverMap(after),
    changes,
  };
}
