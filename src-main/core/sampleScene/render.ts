// Paints a scene canvas as a 3-band uint8 image for one date: materials, textures, shadows, then the date's look
// (illumination, season, haze, sensor noise and a sub-pixel shift), none of which is land-cover change.
import { crownTexture, fbm } from './noise';
import { lateSummerTone } from './landscape';
import { createRandom, hash2 } from './random';
import { Surface, type SceneCanvas } from './surfaces';

/** How one acquisition date looks. */
export interface DateLook {
  /** Per-band gain and offset (illumination and haze), applied in 0..255 units. */
  gain: [number, number, number];
  offset: [number, number, number];
  /** 0 = as painted; 1 = vegetation shifted fully towards late-season yellow-brown. */
  yellowing: number;
  /** Sensor noise standard deviation, digital numbers. */
  noiseSigma: number;
  /** Sub-pixel misregistration of this date, pixels (x right, y down). */
  shiftPx: [number, number];
  /**
   * Share of crop fields whose state differs on this date (harvested, ploughed or sown): a real and common
   * difference between dates that planners do not count as land-cover change (the field is still cropland).
   */
  fieldStateChanges: number;
  /** Seeds the noise and the per-field seasonal variation of this date. */
  seed: number;
}

const PLAIN_TONES: Record<number, [number, number, number]> = {
  [Surface.crop]: [100, 124, 64],
  [Surface.meadow]: [108, 132, 70],
  [Surface.garden]: [92, 110, 70],
  [Surface.water]: [36, 54, 62],
  [Surface.asphalt]: [108, 108, 112],
  [Surface.track]: [170, 156, 130],
  [Surface.verge]: [124, 134, 90],
  [Surface.bareSoil]: [146, 118, 90],
  [Surface.construction]: [186, 176, 158],
  [Surface.paved]: [146, 146, 144],
  [Surface.yard]: [152, 150, 146],
  [Surface.slash]: [158, 140, 114],
};
const CANOPY_GAP: [number, number, number] = [22, 34, 22];
const CANOPY_TOP: [number, number, number] = [64, 92, 50];

const isVegetation = (s: number): boolean =>
  s === Surface.crop ||
  s === Surface.meadow ||
  s === Surface.garden ||
  s === Surface.forest ||
  s === Surface.trees ||
  s === Surface.verge;

/** Share of water within a few pixels of each pixel (box filter via an integral image): soft shores. */
function waterNearby(canvas: SceneCanvas, radius: number): Float32Array {
  const { width, height, surface } = canvas;
  const integral = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += surface[y * width + x] === Surface.water ? 1 : 0;
      integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + row;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const ya = Math.max(0, y - radius);
    const yb = Math.min(height, y + radius + 1);
    for (let x = 0; x < width; x++) {
      const xa = Math.max(0, x - radius);
      const xb = Math.min(width, x + radius + 1);
      const sum =
        integral[yb * (width + 1) + xb] -
        integral[ya * (width + 1) + xb] -
        integral[yb * (width + 1) + xa] +
        integral[ya * (width + 1) + xa];
      out[y * width + x] = sum / ((yb - ya) * (xb - xa));
    }
  }
  return out;
}

/** The painted scene in float 0..255, band-planar, before the date's sensor effects. */
function paintMaterials(canvas: SceneCanvas, look: DateLook, textureSeed: number): Float32Array {
  const { width, height, surface, object, shadow, objects } = canvas;
  const n = width * height;
  const out = new Float32Array(3 * n);
  const water = waterNearby(canvas, 3);
  const rgb: [number, number, number] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const s = surface[i];
      const o = object[i];
      const item = objects[o];
      const grain = fbm(x, y, textureSeed, 18, 3) - 0.5;
      if (s === Surface.forest || s === Surface.trees) {
        const crown = crownTexture(x, y, textureSeed + 11, s === Surface.trees ? 3.2 : 3.6);
        const stand = fbm(x, y, textureSeed + 12, 90, 2);
        const k = 0.8 + 0.45 * stand;
        for (let b = 0; b < 3; b++) rgb[b] = (CANOPY_GAP[b] + (CANOPY_TOP[b] - CANOPY_GAP[b]) * crown) * k;
      } else if (s === Surface.roof || s === Surface.hall) {
        // Two roof halves, the one facing the south-east sun brighter.
        const nx = -Math.sin(item.angle);
        const ny = Math.cos(item.angle);
        const side = (x + 0.5 - item.centre[0]) * nx + (y + 0.5 - item.centre[1]) * ny;
        const facing = Math.sign(side) * Math.sign(nx + ny || 1);
        const k = 1 + item.rowAmplitude * facing + 0.03 * grain;
        for (let b = 0; b < 3; b++) rgb[b] = item.tone[b] * k;
      } else {
        let tone = o !== 0 ? item.tone : PLAIN_TONES[s];
        if (s === Surface.crop && o !== 0 && hash2(o, 3, look.seed) < look.fieldStateChanges) {
          tone = lateSummerTone(tone, hash2(o, 4, look.seed));
        }
        let k = 1 + 0.16 * grain;
        if (item.rowPeriod > 0) {
          // Crop rows are far below 3 m; what shows is the tractor's tramlines (a thin darker line every 18-36 m)
          // and the field's own patchiness (soil and moisture, tens of metres).
          const along = (x + 0.5) * -Math.sin(item.angle) + (y + 0.5) * Math.cos(item.angle);
          const period = 1.5 * item.rowPeriod;
          const phase = along / period - Math.floor(along / period);
          const fromLine = Math.min(phase, 1 - phase) * period;
          k -= 1.5 * item.rowAmplitude * Math.max(0, 1 - fromLine / 0.7);
          k += 0.1 * (fbm(x, y, textureSeed + o, 45, 3) - 0.5);
          // Uneven stand and soil at a few metres: no field is as smooth as paint.
          k += 0.12 * (fbm(x, y, textureSeed + 61, 2.5, 2) - 0.5);
        }
        if (s === Surface.garden) k += 0.2 * (fbm(x, y, textureSeed + 21, 3, 3) - 0.5);
        if (s === Surface.bareSoil || s === Surface.construction) {
          // Worked ground: clods, ruts and moisture differences at a few metres.
          k += 0.22 * (fbm(x, y, textureSeed + 51, 3, 3) - 0.5);
        }
        if (s === Surface.meadow) {
          // Grassland is mottled: tussocks, herbs and drier patches over tens of metres, never a lawn's even green.
          k += 0.14 * (fbm(x, y, textureSeed + 31, 7, 3) - 0.5);
        }
        if (s === Surface.slash) {
          // Felled ground: bark and branches in rough heaps, raked into dark windrows every ~20 m.
          k += 0.4 * (fbm(x, y, textureSeed + 41, 2.5, 2) - 0.5);
          const along = (x + 0.5) * -Math.sin(item.angle) + (y + 0.5) * Math.cos(item.angle);
          const phase = along / 7 - Math.floor(along / 7);
          if (Math.min(phase, 1 - phase) * 7 < 0.6 + 0.8 * fbm(x, y, textureSeed + 43, 5, 1)) k *= 0.7;
        }
        if (s === Surface.asphalt || s === Surface.paved || s === Surface.yard)
          k += 0.05 * (hash2(x, y, textureSeed + 5) - 0.5);
        for (let b = 0; b < 3; b++) rgb[b] = tone[b] * k;
        if (s === Surface.water) {
          // Shallow, greener water near the shore.
          const shallow = Math.max(0, 1 - water[i]) * 1.6;
          rgb[0] += 26 * shallow;
          rgb[1] += 34 * shallow;
          rgb[2] += 18 * shallow;
        }
      }
      if (s !== Surface.water && water[i] > 0) {
        const wet = 0.35 * water[i];
        for (let b = 0; b < 3; b++) rgb[b] *= 1 - wet;
      }
      if (isVegetation(s) && look.yellowing > 0) {
        // Season: this date's vegetation is drier; each field differs a little (harvest dates vary).
        const y0 =
          look.yellowing *
          (s === Surface.crop || s === Surface.meadow ? 0.6 + 0.8 * hash2(o, 1, look.seed) : 0.7);
        rgb[0] *= 1 + 0.22 * y0;
        rgb[1] *= 1 + 0.07 * y0;
        rgb[2] *= 1 - 0.12 * y0;
      }
      const dark = 1 - (0.6 * shadow[i]) / 255;
      for (let b = 0; b < 3; b++) out[b * n + i] = rgb[b] * dark * look.gain[b] + look.offset[b];
    }
  }
  return out;
}

/** Bilinear resampling of each band at (x + dx, y + dy): the date's misregistration, with edge pixels repeated. */
function shiftBands(
  bands: Float32Array,
  width: number,
  height: number,
  dx: number,
  dy: number,
): Float32Array {
  if (dx === 0 && dy === 0) return bands;
  const n = width * height;
  const out = new Float32Array(bands.length);
  for (let b = 0; b < 3; b++) {
    const off = b * n;
    for (let y = 0; y < height; y++) {
      const sy = Math.min(height - 1, Math.max(0, y + dy));
      const y0 = Math.min(height - 2, Math.floor(sy));
      const fy = sy - y0;
      for (let x = 0; x < width; x++) {
        const sx = Math.min(width - 1, Math.max(0, x + dx));
        const x0 = Math.min(width - 2, Math.floor(sx));
        const fx = sx - x0;
        const a = bands[off + y0 * width + x0];
        const c = bands[off + y0 * width + x0 + 1];
        const d = bands[off + (y0 + 1) * width + x0];
        const e = bands[off + (y0 + 1) * width + x0 + 1];
        out[off + y * width + x] = (a * (1 - fx) + c * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
      }
    }
  }
  return out;
}

/** A light [1 2 1]/4 blur in both directions: the optics' softness, so edges are mixed pixels as in real imagery. */
function soften(bands: Float32Array, width: number, height: number): Float32Array {
  const n = width * height;
  const tmp = new Float32Array(bands.length);
  const out = new Float32Array(bands.length);
  for (let b = 0; b < 3; b++) {
    const off = b * n;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const l = bands[off + y * width + Math.max(0, x - 1)];
        const r = bands[off + y * width + Math.min(width - 1, x + 1)];
        tmp[off + y * width + x] = 0.25 * l + 0.5 * bands[off + y * width + x] + 0.25 * r;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = tmp[off + Math.max(0, y - 1) * width + x];
        const d = tmp[off + Math.min(height - 1, y + 1) * width + x];
        out[off + y * width + x] = 0.25 * u + 0.5 * tmp[off + y * width + x] + 0.25 * d;
      }
    }
  }
  return out;
}

/** Renders one date: band-planar RGB uint8 (band b, row r, col c at [b*h*w + r*w + c]). */
export function renderDate(canvas: SceneCanvas, look: DateLook, textureSeed: number): Uint8Array {
  const { width, height } = canvas;
  const painted = paintMaterials(canvas, look, textureSeed);
  const shifted = shiftBands(painted, width, height, look.shiftPx[0], look.shiftPx[1]);
  const soft = soften(shifted, width, height);
  const random = createRandom(look.seed);
  const out = new Uint8Array(soft.length);
  for (let i = 0; i < soft.length; i++) {
    const v = soft[i] + random.normal() * look.noiseSigma;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}
