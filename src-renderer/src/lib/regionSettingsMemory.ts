// The region settings (threshold, radii, minimum area) of each run's last "Find regions", kept in the window's
// local storage by project file and run, so a reopened project shows the settings its regions were made with.
// The project file stores them too (cm_runs.region_settings), but no API channel returns them yet; once run:get or
// a regions channel does, that answer should replace this memory.
import type { RegionSettings } from '../../../src-main/ipc/contract';

const PREFIX = 'changemap:region-settings:';

const keyOf = (projectPath: string, runId: number): string => `${PREFIX}${projectPath}#${runId}`;

function isSettings(value: unknown): value is RegionSettings {
  const v = value as Partial<RegionSettings> | null;
  return (
    !!v &&
    [v.threshold, v.openingRadius, v.closingRadius, v.minAreaM2].every(
      (n) => typeof n === 'number' && Number.isFinite(n),
    )
  );
}

export function rememberSettings(projectPath: string, runId: number, settings: RegionSettings): void {
  try {
    localStorage.setItem(keyOf(projectPath, runId), JSON.stringify(settings));
  } catch {
    // Storage full or disabled: the settings fall back to the model card's on reopen, nothing worse.
  }
}

export function rememberedSettings(projectPath: string, runId: number): RegionSettings | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(keyOf(projectPath, runId)) ?? 'null');
    if (!isSettings(value)) return null;
    const { threshold, openingRadius, closingRadius, minAreaM2 } = value;
    return { threshold, openingRadius, closingRadius, minAreaM2 };
  } catch {
    return null;
  }
}
