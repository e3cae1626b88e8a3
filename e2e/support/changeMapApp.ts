// Page object for end-to-end tests: starts the real services behind the loopback browser host with a fresh user
// data folder, drives Debian's Chromium through playwright-core, and waits on the app's named readiness signals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve } from '../../src-main/cli/serve';
import type { BrowserHost } from '../../src-main/services/browserHost/server';
import type { AppSession } from '../../src-main/services/session';

export const ARTEFACTS_DIR = path.resolve(import.meta.dirname, '..', '..', 'artefacts', 'e2e');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export class ChangeMapApp {
  /** The app the running test file drives, for the failure screenshots (e2e/support/onFailure.ts). */
  static current: ChangeMapApp | null = null;

  readonly workDir: string;
  private constructor(
    readonly host: BrowserHost,
    readonly session: AppSession,
    readonly browser: Browser,
    readonly page: Page,
    workDir: string,
  ) {
    this.workDir = workDir;
  }

  /** `roots`: folders the file picker may show besides the home folder and the work folder (`serve --root`). */
  static async launch(options: { roots?: string[] } = {}): Promise<ChangeMapApp> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'changemap-e2e-'));
    const userDataDir = path.join(workDir, 'user-data');
    const { host, session } = await serve({ userDataDir, roots: [workDir, ...(options.roots ?? [])] });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Playwright runs headless with a fresh temporary profile of its own; the flags keep Chromium off the network.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => console.error('[page error]', error));
    await page.goto(host.launchUrl);
    ChangeMapApp.current = new ChangeMapApp(host, session, browser, page, workDir);
    return ChangeMapApp.current;
  }

  /** Waits until the app has raised the named readiness signal (at least `count` times in total). */
  async waitForSignal(name: string, count = 1, timeout = 30_000): Promise<void> {
    await this.page.waitForFunction(
      ({ name, count }) => (window.__changemapSignals ?? []).filter((s) => s === name).length >= count,
      { name, count },
      { timeout },
    );
  }

  /**
   * Waits until the map has drawn everything asked of it: the latest signal is "map:rendered" and no other signal
   * followed for a quarter second (tile layers that appear as the project loads start new loads after an early
   * rendercomplete of the empty map).
   */
  async waitForMapSettled(timeout = 30_000): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const signals = window.__changemapSignals ?? [];
        const w = window as { __settleLength?: number };
        const settled = signals.at(-1) === 'map:rendered' && w.__settleLength === signals.length;
        w.__settleLength = signals.length;
        return settled;
      },
      undefined,
      { timeout, polling: 250 },
    );
  }

  signalCount(name: string): Promise<number> {
    return this.page.evaluate((n) => (window.__changemapSignals ?? []).filter((s) => s === n).length, name);
  }

  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(ARTEFACTS_DIR, { recursive: true });
    const file = path.join(ARTEFACTS_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Creates a project through the New project dialog. */
  async createProject(file: string): Promise<void> {
    const before = await this.signalCount('project:loaded');
    await this.page.getByTestId('new-project').click();
    await this.page.getByTestId('file-picker-name').fill(file);
    await this.page.getByTestId('file-picker-confirm').click();
    await this.waitForSignal('project:loaded', before + 1);
  }

  /** Opens a file through the Open project dialog; does not wait for success. */
  async openThroughDialog(file: string): Promise<void> {
    await this.page.getByTestId('open-project').click();
    await this.page.getByTestId('file-picker-name').fill(file);
    await this.page.getByTestId('file-picker-confirm').click();
  }

  async closeProject(): Promise<void> {
    const before = await this.signalCount('project:closed');
    await this.page.getByTestId('close-project').click();
    await this.waitForSignal('project:closed', before + 1);
  }

  async dispose(): Promise<void> {
    if (ChangeMapApp.current === this) ChangeMapApp.current = null;
    await this.browser.close().catch(() => undefined);
    // A test that ends right after a run leaves that run's regions being found in this process (ONNX Runtime, the
    // project's database): they are let finish, and the project closes only once its services have, so nothing
    // native is still at work when the test process is stopped (closing under it failed the regions with "The
    // database connection is not open").
    if (this.session.currentProject) {
      const { runs, regions } = this.session.services();
      await Promise.all(runs.listRuns().map((run) => regions.whenAutomaticDone(run.id)));
    }
    await this.session.close();
    await this.host.close();
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
