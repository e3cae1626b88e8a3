// Reduced-precision variants in `npm run eval -- --variants`: each variant file of a card is scored beside its
// full-precision model by the same code on the same scenes, and `--record` writes both figures into the card's
// `variants` entry (what core/models/modelVariants.ts holds against the bar before a run may use the variant).
import { readFileSync, writeFileSync } from 'node:fs';
import type { ModelCard, ModelVariant } from '../../src-main/core/models/modelCard';

/** How a variant is labelled in the tables: "changemap-change [int8]". */
export function variantLabel(name: string, variant: Pick<ModelVariant, 'precision'>): string {
  return `${name} [${variant.precision}]`;
}

/**
 * Writes the variant's and the full-precision file's figures into the card's entry for `file`. The card is
 * rewritten as JSON with two-space indents, like the export scripts write it.
 */
export function recordVariantAccuracy(
  cardPath: string,
  file: string,
  figures: { accuracy: ModelCard['accuracy']; fullPrecisionAccuracy: ModelCard['accuracy'] },
  evaluatedWith: string,
): void {
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as ModelCard;
  const entry = card.variants?.find((v) => v.file === file);
  if (!entry) throw new Error(`The card ${cardPath} lists no variant ${file}.`);
  Object.assign(entry, figures, { evaluatedWith });
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
}

/** Per-dataset figures rounded to four decimals, as the cards keep them. */
export function roundFigures(figures: ModelCard['accuracy']): ModelCard['accuracy'] {
  return Object.fromEntries(
    Object.entries(figures).map(([dataset, metrics]) => [
      dataset,
      Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Math.round(v * 1e4) / 1e4])),
    ]),
  );
}
