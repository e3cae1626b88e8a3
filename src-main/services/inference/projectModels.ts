// The models a project can use: the shipped ones, plus model cards the user added to this project.
import path from 'node:path';
import type { ProjectStore } from '../project/projectStore';

const USER_MODELS_KEY = 'user_models';

/** Folders the catalogue reads: the shipped models, then the folders of models the user added to this project. */
export function projectModelDirs(project: ProjectStore, shippedDir: string): string[] {
  const added = project.getSetting<string[]>(USER_MODELS_KEY) ?? [];
  return [shippedDir, ...new Set(added.map((card) => path.dirname(card)))];
}

/** Remembers a model card in the project, so its folder is read from now on. */
export function addProjectModel(project: ProjectStore, cardPath: string): void {
  const added = project.getSetting<string[]>(USER_MODELS_KEY) ?? [];
  project.setSetting(USER_MODELS_KEY, [...new Set([...added, path.resolve(cardPath)])]);
}
