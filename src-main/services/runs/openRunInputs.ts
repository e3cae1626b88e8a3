// Opens the before/after pair a run names: image files (any CRS, or same-size images without georeference as a
// pixel-aligned pair) through the imagery service, or a generated pair.
import { ChangeMapError } from '../../core/errors';
import type { AlignedPairSource, BandRole } from '../../core/raster/types';
import { openAlignedPair } from '../imagery/alignedPair';
import { openImagerySet } from '../imagery/imagerySet';
import { syntheticPair } from './syntheticPair';
import type { RunInputs } from './runTypes';

type ModelBand = Exclude<BandRole, 'alpha' | 'other'>;

export async function openRunInputs(
  inputs: RunInputs,
  options: { bands: readonly string[] },
): Promise<AlignedPairSource> {
  if (inputs?.kind === 'synthetic') return syntheticPair(inputs);
  // The inputs come from the project's stored run settings, which a damaged file may hold anything in.
  const files = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((f) => typeof f === 'string');
  if (inputs?.kind !== 'files' || !files(inputs.before) || !files(inputs.after)) {
    throw new ChangeMapError(
      'PROJECT_CORRUPT',
      "The run's stored inputs are damaged (not the image files it read), so its imagery cannot be opened; the file was left as it is. Start a new run on the imagery.",
    );
  }
  const before = await openImagerySet(inputs.before);
  let after;
  try {
    after = await openImagerySet(inputs.after);
  } catch (error) {
    await before.close();
    throw error;
  }
  try {
    const pair = await openAlignedPair(before, after, { bands: options.bands as ModelBand[] });
    return {
      grid: pair.grid,
      bands: pair.bands,
      read: (window, options) => pair.read(window, options),
      ...(pair.samples && { samples: pair.samples }),
      async close() {
        await pair.close();
        await Promise.all([before.close(), after.close()]);
      },
    };
  } catch (error) {
    await Promise.all([before.close(), after.close()]);
    throw error;
  }
}
