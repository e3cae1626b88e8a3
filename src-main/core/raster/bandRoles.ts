// Band roles guessed from what the file says: GDAL colour interpretation or band descriptions first, then the TIFF
// photometric and extra-samples tags, then the band count. The user can edit them afterwards.
import type { BandRole, SampleType } from './types';

export interface BandRoleHints {
  bandCount: number;
  sampleType: SampleType;
  /** TIFF PhotometricInterpretation (2 = RGB). */
  photometric?: number;
  /** TIFF ExtraSamples values (1 associated alpha, 2 unassociated alpha) for the samples after the colour ones. */
  extraSamples?: number[];
  /** Per band: GDAL colour interpretation or description text ("Red", "nir", "Alpha"...), if any. */
  labels?: (string | undefined)[];
  /** Per band: centre wavelength in micrometres, if the metadata has one. */
  wavelengthsUm?: (number | undefined)[];
}

const LABELS: [RegExp, BandRole][] = [
  [/^(alpha|mask)$/i, 'alpha'],
  [/^(red|r)$/i, 'red'],
  [/^(green|g)$/i, 'green'],
  [/^(blue|b)$/i, 'blue'],
  [/^(nir|near[- ]?infra[- ]?red|infrared)$/i, 'nir'],
];

/** Band centre wavelength (micrometres) to a role; Landsat, Sentinel-2 and Planet bands all fall in these ranges. */
function roleFromWavelength(um: number): BandRole | null {
  if (um >= 0.43 && um < 0.52) return 'blue';
  if (um >= 0.52 && um < 0.6) return 'green';
  if (um >= 0.62 && um < 0.7) return 'red';
  if (um >= 0.76 && um < 0.92) return 'nir';
  return null;
}

export function guessBandRoles(hints: BandRoleHints): BandRole[] {
  const { bandCount, sampleType } = hints;
  const roles: BandRole[] = new Array<BandRole>(bandCount).fill('other');
  const fromLabels = Array.from({ length: bandCount }, (_, i) => {
    const um = hints.wavelengthsUm?.[i];
    if (um !== undefined && Number.isFinite(um)) return roleFromWavelength(um);
    const label = hints.labels?.[i];
    if (!label) return null;
    for (const [re, role] of LABELS) if (re.test(label.trim())) return role;
    return null;
  });
  if (fromLabels.filter((r) => r !== null).length >= Math.min(3, bandCount)) {
    return roles.map((_, i) => fromLabels[i] ?? 'other');
  }
  const colourSamples = hints.photometric === 2 ? 3 : bandCount - (hints.extraSamples?.length ?? 0);
  hints.extraSamples?.forEach((kind, i) => {
    const index = colourSamples + i;
    if ((kind === 1 || kind === 2) && index < bandCount) roles[index] = 'alpha';
  });
  if (bandCount >= 5 && hints.photometric !== 2) {
    // A multispectral stack without labels: Landsat TM/ETM+ order (bands 1,2,3,4 = blue, green, red, NIR).
    roles.splice(0, 4, 'blue', 'green', 'red', 'nir');
    return roles;
  }
  if (bandCount >= 3) {
    roles[0] = 'red';
    roles[1] = 'green';
    roles[2] = 'blue';
  }
  if (bandCount === 4 && roles[3] === 'other') {
    // An 8-bit RGB image with a fourth band is RGBA (a "visual" product); deeper data is R,G,B,NIR.
    roles[3] = sampleType === 'uint8' && (hints.photometric === 2 || !hints.extraSamples) ? 'alpha' : 'nir';
  }
  return roles;
}
