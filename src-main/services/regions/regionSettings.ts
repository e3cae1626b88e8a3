// The one rule for a run's region settings, used by the app (run:get, regions:compute), the command line, the
// demo, the automatic regions after a run, the spot check and every export (the mask's threshold):
//   1. the settings saved for the run (cm_runs.region_settings: what its regions were last made with), else
//   2. the change model's card (its threshold, and its `regions` clean-up and minimum area where it has them), else
//   3. FALLBACK_REGION_SETTINGS.
// Each setting is decided on its own, so a card with only a threshold still gets the fallback's clean-up.
import type Database from 'better-sqlite3';
import type { RegionSettings } from '../../ipc/contract';
import { readModelCard } from '../inference/modelCatalog';

/** Settings of last resort: a model card without them, a card that cannot be read any more. */
export const FALLBACK_REGION_SETTINGS: RegionSettings = {
  threshold: 0.5,
  openingRadius: 0,
  closingRadius: 0,
  minAreaM2: 0,
};

const KEYS = Object.keys(FALLBACK_REGION_SETTINGS) as (keyof RegionSettings)[];

function readJson(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The settings a run's card gives (threshold, and clean-up and minimum area where the card has them). */
export function cardRegionSettings(cardPath: string | undefined): Partial<RegionSettings> {
  if (!cardPath) return {};
  try {
    const card = readModelCard(cardPath);
    if (card.task !== 'change-detection') return {};
    return { ...card.regions, threshold: card.threshold };
  } catch {
    return {}; // the card moved or broke since the run: the fallback decides
  }
}

function savedRow(
  db: Database.Database,
  runId: number,
): { saved: Record<string, unknown>; cardPath: string | undefined } {
  let row: { params: string; region_settings?: string } | undefined;
  try {
    row = db.prepare('SELECT params, region_settings FROM cm_runs WHERE id = ?').get(runId) as typeof row;
  } catch {
    // A project older than the region_settings column.
    row = db.prepare('SELECT params FROM cm_runs WHERE id = ?').get(runId) as typeof row;
  }
  const params = readJson(row?.params);
  return {
    saved: readJson(row?.region_settings),
    cardPath: typeof params.modelCardPath === 'string' ? params.modelCardPath : undefined,
  };
}

/** True once the run's regions have been found (they may be none); their settings are then saved for it. */
export function hasSavedRegionSettings(db: Database.Database, runId: number): boolean {
  return typeof savedRow(db, runId).saved.threshold === 'number';
}

/** The run's region settings by the rule above. `requested` (a caller's explicit choice) wins over all three. */
export function regionSettingsForRun(
  db: Database.Database,
  runId: number,
  requested: Partial<RegionSettings> = {},
): RegionSettings {
  const { saved, cardPath } = savedRow(db, runId);
  const card = cardRegionSettings(cardPath);
  const settings = { ...FALLBACK_REGION_SETTINGS };
  for (const key of KEYS) {
    const savedValue = saved[key];
    settings[key] =
      requested[key] ??
      (typeof savedValue === 'number' ? savedValue : undefined) ??
      card[key] ??
      settings[key];
  }
  return settings;
}
