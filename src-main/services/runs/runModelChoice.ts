// Which change model a run uses and why: the automatic choice for 'auto', else the model the user named, with a
// warning when the imagery lies outside its ground sampling range. The run service and the run panel's preview
// (models:choose) both decide here.
import { ChangeMapError } from '../../core/errors';
import type { ChangeModelCard } from '../../core/models/modelCard';
import { AUTO_MODEL, gsdRangeWarning } from '../../core/models/modelChoice';
import type { GridSpec } from '../../core/raster/types';
import { groundPixelSize } from '../imagery/imagerySet';
import { chooseCatalogModel, readModelCard, resolveModel } from '../inference/modelCatalog';

export interface RunModelChoice {
  cardPath: string;
  card: ChangeModelCard;
  automatic: boolean;
  /** The automatic choice's reason; null when the user named the model. */
  reason: string | null;
  warnings: string[];
}

/** One number for the model choice: the geometric mean of the x and y pixel sizes (m); null without georeference. */
export function choicePixelSizeM(pixelSizeM: readonly [number, number] | null): number | null {
  return pixelSizeM ? Math.sqrt(pixelSizeM[0] * pixelSizeM[1]) : null;
}

/** The analysis grid's pixel size for the model choice (null for a pair without georeference). */
export function gridPixelSizeM(grid: GridSpec): number | null {
  return grid.crs.code === null ? null : choicePixelSizeM(groundPixelSize(grid));
}

/** The model `model` ('auto', a name or a card/ONNX path) resolves to for imagery of this pixel size. */
export function runModelChoice(
  model: string,
  dirs: readonly string[],
  pixelSizeM: number | null,
): RunModelChoice {
  if (model === AUTO_MODEL) {
    const choice = chooseCatalogModel(dirs, pixelSizeM);
    return { ...choice, automatic: true };
  }
  const cardPath = resolveModel(model, dirs, 'change-detection');
  const card = readModelCard(cardPath);
  if (card.task !== 'change-detection')
    throw new ChangeMapError(
      'MODEL_WRONG_TASK',
      `${card.name} is a land-cover classifier, not a change model; pick a change model or Automatic.`,
    );
  const warning = gsdRangeWarning(card, pixelSizeM);
  return { cardPath, card, automatic: false, reason: null, warnings: warning ? [warning] : [] };
}
