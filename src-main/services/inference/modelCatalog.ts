// Model cards on disk: the shipped models/*.card.json and any a user adds beside their ONNX file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ChangeMapError } from '../../core/errors';
import { modelCard, type ChangeModelCard, type ModelCard } from '../../core/models/modelCard';
import { chooseChangeModel, type ChangeModelChoice } from '../../core/models/modelChoice';

export interface ModelEntry {
  name: string;
  version: string;
  task: ModelCard['task'];
  description: string;
  cardPath: string;
  onnxPath: string;
}

/** Reads and validates a card (schema only; the ONNX file is checked when the model is loaded). */
export function readModelCard(cardPath: string): ModelCard {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(cardPath, 'utf8'));
  } catch (error) {
    throw new ChangeMapError('MODEL_CARD_UNREADABLE', `The model card ${cardPath} cannot be read as JSON.`, {
      cause: error,
    });
  }
  const parsed = modelCard.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ChangeMapError(
      'MODEL_CARD_INVALID',
      `The model card ${cardPath} is invalid at "${issue.path.join('.')}": ${issue.message}.`,
    );
  }
  return parsed.data;
}

/** The card's ONNX file; the schema keeps `file` inside the card's folder, checked again here on the real path. */
export function onnxPathOf(cardPath: string, card: ModelCard): string {
  const folder = path.resolve(path.dirname(cardPath));
  const onnxPath = path.resolve(folder, card.file);
  const relative = path.relative(folder, onnxPath);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new ChangeMapError(
      'MODEL_CARD_INVALID',
      `The model card ${cardPath} names a model file outside its folder ("${card.file}"); put the ONNX file beside the card and name it there.`,
    );
  }
  return onnxPath;
}

/** Every valid card in the given folders (not recursive); unreadable cards are skipped, not fatal. */
export function listModels(dirs: readonly string[]): ModelEntry[] {
  const out: ModelEntry[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.card.json'));
    } catch {
      continue;
    }
    for (const f of files.sort()) {
      const cardPath = path.join(dir, f);
      try {
        const card = readModelCard(cardPath);
        out.push({
          name: card.name,
          version: card.version,
          task: card.task,
          description: card.description,
          cardPath,
          onnxPath: onnxPathOf(cardPath, card),
        });
      } catch {
        // A broken card in a folder of models must not hide the others.
      }
    }
  }
  return out;
}

/**
 * A model named by the user: a card path, an ONNX path with a card beside it (x.onnx -> x.card.json), or a
 * model name from the catalogue.
 */
export function resolveModel(nameOrPath: string, dirs: readonly string[], task?: ModelCard['task']): string {
  if (nameOrPath.endsWith('.card.json')) return path.resolve(nameOrPath);
  if (nameOrPath.endsWith('.onnx')) return path.resolve(nameOrPath.replace(/\.onnx$/, '.card.json'));
  // A model is named by its card's name or by its file name without .card.json (e.g. changemap-change-v1).
  const hit = listModels(dirs).find(
    (m) =>
      (m.name === nameOrPath || path.basename(m.cardPath, '.card.json') === nameOrPath) &&
      (!task || m.task === task),
  );
  if (!hit) throw new ChangeMapError('MODEL_NOT_FOUND', `No model named "${nameOrPath}" was found.`);
  return hit.cardPath;
}

/** The automatic choice (core/models/modelChoice) with the chosen card's file. */
export interface CatalogModelChoice extends ChangeModelChoice {
  cardPath: string;
}

/**
 * The automatic change-model choice for imagery of this pixel size among every change model in the folders
 * (shipped ones first, so they win ties).
 */
export function chooseCatalogModel(dirs: readonly string[], pixelSizeM: number | null): CatalogModelChoice {
  const entries = listModels(dirs)
    .filter((m) => m.task === 'change-detection')
    .map((m) => ({ cardPath: m.cardPath, card: readModelCard(m.cardPath) as ChangeModelCard }));
  const choice = chooseChangeModel(
    entries.map((e) => e.card),
    pixelSizeM,
  );
  return { ...choice, cardPath: entries.find((e) => e.card === choice.card)!.cardPath };
}
