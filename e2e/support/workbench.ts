// The panels of the main window as a page object on top of ChangeMapApp: each action goes through the UI the way
// a planner would, then waits on the readiness signal the renderer raises (never on a sleep).
import path from 'node:path';
import type { Locator } from 'playwright-core';
import type { ChangeMapApp } from './changeMapApp';
import { copyTinyModel, writeScenePair } from './fixtures';

type Role = 'before' | 'after';

export class Workbench {
  constructor(readonly app: ChangeMapApp) {}

  get page() {
    return this.app.page;
  }

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** Runs `action`, then waits until `signal` has been raised once more than before it. */
  async expectSignal(signal: string, action: () => Promise<unknown>, timeout = 60_000): Promise<void> {
    const before = await this.app.signalCount(signal);
    await action();
    await this.app.waitForSignal(signal, before + 1, timeout);
  }

  /** Creates a project in the test's work folder and waits for the panels to load. */
  async newProject(name: string): Promise<string> {
    const file = path.join(this.app.workDir, `${name}.gpkg`);
    await this.app.createProject(file);
    await this.app.waitForSignal('map:ready');
    await this.app.waitForSignal('imagery:ready');
    await this.app.waitForSignal('run:ready');
    return file;
  }

  /** Adds files to a date through the file picker: browses to their folder and ticks each one. */
  async addImagery(role: Role, files: string[]): Promise<void> {
    await this.byTestId(`add-files-${role}`).click();
    const picker = this.byTestId('file-picker');
    await picker.getByTestId('file-picker-location').fill(path.dirname(files[0]));
    await picker.getByTestId('file-picker-location').press('Enter');
    for (const file of files) {
      await picker
        .getByTestId('file-picker-entry')
        .filter({ hasText: path.basename(file) })
        .first()
        .click();
    }
    await this.expectSignal(`imagery:set:${role}`, () => picker.getByTestId('file-picker-confirm').click());
  }

  /** Types one path (or URL) into the picker's name field; does not wait for success. */
  async typeImageryPath(role: Role, file: string): Promise<void> {
    await this.byTestId(`add-files-${role}`).click();
    await this.byTestId('file-picker-name').fill(file);
    await this.byTestId('file-picker-confirm').click();
  }

  async addModel(onnx: string): Promise<void> {
    await this.byTestId('add-model').click();
    await this.byTestId('file-picker-name').fill(onnx);
    await this.expectSignal('model:added', () => this.byTestId('file-picker-confirm').click());
  }

  async startRun(): Promise<void> {
    await this.expectSignal('run:started', () => this.byTestId('run-start').click());
  }

  /** Waits for the `count`-th run:done signal of this page. */
  async waitForRunDone(count = 1, timeout = 240_000): Promise<void> {
    await this.app.waitForSignal('run:done', count, timeout);
  }

  /** Chooses a model by the text of its entry in the model list. */
  async chooseModel(text: string | RegExp): Promise<void> {
    const select = this.byTestId('model-select');
    const options = await select
      .locator('option')
      .evaluateAll((els) =>
        els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })),
      );
    const match = options.find((o) => (typeof text === 'string' ? o.text.includes(text) : text.test(o.text)));
    if (!match)
      throw new Error(`No model matching ${String(text)} in ${options.map((o) => o.text).join(', ')}`);
    await select.selectOption(match.value);
  }

  /** A point of the map as a fraction of its width and height, in page pixels. */
  async mapPoint(fx: number, fy: number): Promise<[number, number]> {
    const box = (await this.byTestId('map').boundingBox())!;
    return [box.x + box.width * fx, box.y + box.height * fy];
  }

  /**
   * Hovers points spiralling out from (x, y) until the region tooltip shows, and returns the point that showed it.
   * A region's centre of view can fall in a gap between its parts (an estate around a kept field), so the test looks
   * for the outline near the centre instead of assuming it covers the exact middle.
   */
  async hoverRegionNear(x: number, y: number, radiusPx = 90, stepPx = 15): Promise<[number, number]> {
    const tooltip = this.byTestId('region-tooltip');
    const points: [number, number][] = [[x, y]];
    for (let r = stepPx; r <= radiusPx; r += stepPx) {
      for (let a = 0; a < 8; a++) {
        const t = (a * Math.PI) / 4;
        points.push([x + r * Math.cos(t), y + r * Math.sin(t)]);
      }
    }
    for (const [px, py] of points) {
      await this.page.mouse.move(px - 20, py);
      await this.page.mouse.move(px, py, { steps: 3 });
      if (await tooltip.isVisible()) return [px, py];
      try {
        await tooltip.waitFor({ timeout: 250 });
        return [px, py];
      } catch {
        // Not over an outline here: try the next point.
      }
    }
    throw new Error(`No region outline within ${radiusPx} px of the map point (${x}, ${y}).`);
  }

  /** Sets the region settings form and finds the regions. */
  async computeRegions(settings: { threshold?: number; minAreaM2?: number } = {}): Promise<void> {
    if (settings.threshold !== undefined) await this.byTestId('threshold').fill(String(settings.threshold));
    if (settings.minAreaM2 !== undefined) await this.byTestId('min-area').fill(String(settings.minAreaM2));
    await this.expectSignal('regions:ready', () => this.byTestId('regions-compute').click(), 120_000);
  }

  /** Fresh project, the sample pair, the tiny model, a finished run: the common start of result tests. Resolves
   * with the project's file. */
  async finishedRun(name: string, scene: { before: string; after: string }, model: string): Promise<string> {
    const file = await this.newProject(name);
    await this.addImagery('before', [scene.before]);
    await this.addImagery('after', [scene.after]);
    await this.addModel(model);
    await this.startRun();
    await this.waitForRunDone();
    return file;
  }

  /**
   * The same with the 512-px sample scene and the tiny model under a card of its own whose threshold is
   * `cardThreshold`, both written into the work folder.
   */
  async finishedSampleRun(name: string, cardThreshold: number): Promise<string> {
    const scene = await writeScenePair(path.join(this.app.workDir, 'scene'), { size: 512 });
    const model = copyTinyModel(path.join(this.app.workDir, 'model'), cardThreshold);
    return this.finishedRun(name, scene, model);
  }

  regionRows(): Locator {
    return this.byTestId('region-row');
  }

  /** Opens a project file through the Open project dialog and waits until its panels and regions are shown. */
  async openProject(file: string): Promise<void> {
    const before = {
      loaded: await this.app.signalCount('project:loaded'),
      restored: await this.app.signalCount('regions:restored'),
    };
    await this.app.openThroughDialog(file);
    await this.app.waitForSignal('project:loaded', before.loaded + 1);
    await this.app.waitForSignal('imagery:ready');
    await this.app.waitForSignal('run:ready');
    await this.app.waitForSignal('regions:restored', before.restored + 1, 60_000);
  }

  /**
   * Exports through the export dialog (format and other choices made by `setup`) to `file`; returns the
   * dialog's message. Leaves the dialog open.
   */
  async exportTo(file: string, setup: () => Promise<void> = async () => undefined): Promise<string> {
    if (!(await this.byTestId('export-dialog').isVisible())) await this.byTestId('topbar-export').click();
    await setup();
    await this.byTestId('export-path').fill(file);
    await this.expectSignal('export:done', () => this.byTestId('export-submit').click());
    return (await this.byTestId('export-result').textContent()) ?? '';
  }
}
