// What the ground is made of in the sample scene, pixel by pixel, and the planner-facing land cover it counts as.

/** Surface materials the renderer knows how to paint. */
export const Surface = {
  crop: 0,
  meadow: 1,
  garden: 2,
  forest: 3,
  /** A row of trees along a field edge or single garden trees: painted as canopy, counted as forest. */
  trees: 4,
  water: 5,
  asphalt: 6,
  track: 7,
  verge: 8,
  roof: 9,
  bareSoil: 10,
  construction: 11,
  paved: 12,
  /** Industrial roofs and yards: painted like roofs and paving, counted as industrial. */
  hall: 13,
  yard: 14,
  /** Felled forest ground: soil littered with slash (branches, bark) raked into windrows. */
  slash: 15,
} as const;
export type Surface = (typeof Surface)[keyof typeof Surface];

/**
 * Planner-facing land-cover classes of the sample scene (what a planted change goes from and to): the names the
 * shipped classifier's card maps its classes to, so the scene's truth and the classifier speak the same words.
 */
export const LAND_COVER_CLASSES = [
  'cropland',
  'grassland',
  'forest',
  'water',
  'residential',
  'industrial',
  'transport',
  'bare/construction',
] as const;
export type LandCover = (typeof LAND_COVER_CLASSES)[number];

const surfaceLandCover: Record<Surface, LandCover> = {
  [Surface.crop]: 'cropland',
  [Surface.meadow]: 'grassland',
  [Surface.garden]: 'residential',
  [Surface.forest]: 'forest',
  [Surface.trees]: 'forest',
  [Surface.water]: 'water',
  [Surface.asphalt]: 'transport',
  [Surface.track]: 'transport',
  [Surface.verge]: 'grassland',
  [Surface.roof]: 'residential',
  [Surface.bareSoil]: 'bare/construction',
  [Surface.construction]: 'bare/construction',
  [Surface.paved]: 'residential',
  [Surface.hall]: 'industrial',
  [Surface.yard]: 'industrial',
  [Surface.slash]: 'bare/construction',
};

export function landCoverOfSurface(surface: Surface): LandCover {
  return surfaceLandCover[surface];
}

/** Per-object paint: a base colour and, for fields and roofs, the direction of rows or of the ridge. */
export interface SurfaceObject {
  tone: [number, number, number];
  /** Radians: direction of crop rows / tramlines, or of a roof ridge. */
  angle: number;
  /** Pixels between rows (fields); 0 for none. */
  rowPeriod: number;
  /** Relative brightness swing of the rows. */
  rowAmplitude: number;
  /** Roof ridge passes through this point (pixel coordinates). */
  centre: [number, number];
}

/** The scene as materials: one surface and one object per pixel, plus how much shadow falls on it. */
export interface SceneCanvas {
  width: number;
  height: number;
  surface: Uint8Array;
  /** Index into objects; 0 is the plain object (no rows, tone from the surface's palette). */
  object: Uint32Array;
  /** 0 = full sun, 255 = deepest shadow. */
  shadow: Uint8Array;
  objects: SurfaceObject[];
}

export function createCanvas(width: number, height: number, fill: Surface): SceneCanvas {
  const surface = new Uint8Array(width * height).fill(fill);
  return {
    width,
    height,
    surface,
    object: new Uint32Array(width * height),
    shadow: new Uint8Array(width * height),
    objects: [{ tone: [0, 0, 0], angle: 0, rowPeriod: 0, rowAmplitude: 0, centre: [0, 0] }],
  };
}

export function cloneCanvas(canvas: SceneCanvas): SceneCanvas {
  return {
    width: canvas.width,
    height: canvas.height,
    surface: canvas.surface.slice(),
    object: canvas.object.slice(),
    shadow: canvas.shadow.slice(),
    objects: canvas.objects.slice(),
  };
}

export function addObject(canvas: SceneCanvas, object: SurfaceObject): number {
  canvas.objects.push(object);
  return canvas.objects.length - 1;
}

/** The land-cover class index (into LAND_COVER_CLASSES) of every pixel. */
export function landCoverMap(canvas: SceneCanvas): Uint8Array {
  const lookup = new Uint8Array(256);
  for (const value of Object.values(Surface)) {
    lookup[value] = LAND_COVER_CLASSES.indexOf(surfaceLandCover[value]);
  }
  const out = new Uint8Array(canvas.surface.length);
  for (let i = 0; i < out.length; i++) out[i] = lookup[canvas.surface[i]];
  return out;
}
