// The services of one app instance behind the API contract: which project is open, recent projects, the file
// browser. Transports (Electron IPC, the browser host, the command line) call these handlers through dispatch().
import os from 'node:os';
import path from 'node:path';
import { ChangeMapError } from '../core/errors';
import type { ApiHandlers, AppInfo } from '../ipc/contract';
import { boundaryHandlers } from './api/boundaryHandlers';
import { accuracyHandlers } from './api/accuracyHandlers';
import { exportHandlers } from './api/exportHandlers';
import { imageryHandlers } from './api/imageryHandlers';
import { regionHandlers } from './api/regionHandlers';
import { basemapHandlers } from './api/basemapHandlers';
import { runHandlers } from './api/runHandlers';
import { stacHandlers } from './api/stacHandlers';
import { planetHandlers } from './api/planetHandlers';
import { PlanetKeyStore } from './planet/planetKeyStore';
import { EventBus } from './events';
import { FileBrowser } from './fileBrowser';
import { ProjectStore } from './project/projectStore';
import { ProjectServices } from './projectServices';
import { RecentProjects } from './recentProjects';
import { defaultModelsDir } from './userData';

export interface ShellCapabilities {
  transport: AppInfo['transport'];
  /** Native open/save dialog, where the shell has one (Electron). */
  pickProjectPath?: (mode: 'save' | 'open') => Promise<string | null>;
  pickFiles?: (options: {
    title: string;
    extensions: string[];
    multiple: boolean;
  }) => Promise<string[] | null>;
  pickSavePath?: (options: {
    title: string;
    extension: string;
    defaultPath?: string;
  }) => Promise<string | null>;
}

export interface SessionOptions {
  userDataDir: string;
  version: string;
  shell: ShellCapabilities;
  /** Folder of the shipped models (`models/` in a checkout, `resources/models` in an installed app). */
  modelsDir?: string;
  /** The folders fs:list may show (default: the home folder); see fileBrowser.ts. */
  browseRoots?: string[];
  /**
   * Where the Planet API key is kept. Default: in memory for the session, else PL_API_KEY (the services process,
   * the browser host and the command line have no OS secure storage; the desktop app keeps it in main).
   */
  planetKeys?: PlanetKeyStore;
}

export class AppSession {
  readonly events = new EventBus();
  readonly recent: RecentProjects;
  readonly files: FileBrowser;
  readonly planetKeys: PlanetKeyStore;
  private project: ProjectStore | null = null;
  private projectServices: ProjectServices | null = null;

  constructor(private readonly options: SessionOptions) {
    this.recent = new RecentProjects(options.userDataDir);
    this.files = new FileBrowser(options.browseRoots);
    this.planetKeys = options.planetKeys ?? new PlanetKeyStore();
  }

  get modelsDir(): string {
    return this.options.modelsDir ?? defaultModelsDir();
  }

  get currentProject(): ProjectStore | null {
    return this.project;
  }

  requireProject(): ProjectStore {
    if (!this.project) throw new ChangeMapError('NO_PROJECT', 'Open or create a project first.');
    return this.project;
  }

  /** The open project's services (imagery, runs, regions, preview), made on first use. */
  services(): ProjectServices {
    const project = this.requireProject();
    this.projectServices ??= new ProjectServices(project, {
      events: this.events,
      modelsDir: this.modelsDir,
      userDataDir: this.options.userDataDir,
    });
    return this.projectServices;
  }

  /** Closes the open project's services; failures are reported as warnings by the registry. */
  private disposeServices(): void {
    void this.projectServices?.dispose();
    this.projectServices = null;
  }

  private setProject(next: ProjectStore | null): void {
    this.disposeServices();
    this.project?.close();
    this.project = next;
    if (next) this.recent.touch(next.file, next.summary().name);
    this.events.emit('project:changed', { project: next?.summary() ?? null });
  }

  /** `replaceUnreviewed`: remake a generated project (the demo's) unless it is open elsewhere or holds reviews. */
  createProject(file: string, name?: string, options: { replaceUnreviewed?: boolean } = {}): ProjectStore {
    const target = file.toLowerCase().endsWith('.gpkg') ? file : `${file}.gpkg`;
    const store = options.replaceUnreviewed
      ? ProjectStore.createReplacing(target, name)
      : ProjectStore.create(target, name);
    this.setProject(store);
    return store;
  }

  /** Opens a project; read-only (the command line's exports) works beside an app that holds it. */
  openProject(file: string, options: { readOnly?: boolean } = {}): ProjectStore {
    if (this.isOpen(file)) return this.project!;
    const store = ProjectStore.open(file, options);
    this.setProject(store);
    return store;
  }

  closeProject(): void {
    if (this.project) this.setProject(null);
  }

  dispose(): void {
    this.disposeServices();
    this.project?.close();
    this.project = null;
  }

  /**
   * dispose() for a caller that can wait (the end-to-end tests' page object): the project closes once its services
   * have (active runs cancelled and recorded, tile and inference threads ended, the classifier released), not under
   * them. dispose() stays synchronous for process-exit handlers, where nothing asynchronous runs any more.
   */
  async close(): Promise<void> {
    await this.settleServices();
    this.project?.close();
    this.project = null;
  }

  /**
   * Closes the open project's services and waits for them (active runs cancelled and recorded, regions being found
   * finished), so that closing or switching the project next does not close its database under them.
   */
  private async settleServices(): Promise<void> {
    const services = this.projectServices;
    this.projectServices = null;
    await services?.dispose();
  }

  /** Whether `file` is the project already open (opening it again keeps it and its services). */
  private isOpen(file: string): boolean {
    return this.project !== null && path.resolve(file) === this.project.file;
  }

  handlers(): ApiHandlers {
    return {
      ...imageryHandlers(this),
      ...runHandlers(this),
      ...regionHandlers(this),
      ...basemapHandlers(this),
      ...exportHandlers(this),
      ...boundaryHandlers(this),
      ...stacHandlers(this),
      ...planetHandlers(this),
      ...accuracyHandlers(this),
      'app:info': () => ({
        version: this.options.version,
        transport: this.options.shell.transport,
        platform: process.platform,
        nativeDialogs: Boolean(this.options.shell.pickProjectPath),
        homeDir: os.homedir(),
      }),
      // The app's own project changes wait for the open project's services before letting it go.
      'project:create': async ({ path: file, name }) => {
        await this.settleServices();
        return this.createProject(file, name).summary();
      },
      'project:open': async ({ path: file }) => {
        if (!this.isOpen(file)) await this.settleServices();
        const summary = this.openProject(file).summary();
        // A kill between finding a run's regions and labelling them: finish the labels now, in the background.
        this.services().regions.finishInterruptedLabelling();
        return summary;
      },
      'project:close': async () => {
        await this.settleServices();
        this.closeProject();
        return null;
      },
      'project:current': () => this.project?.summary() ?? null,
      'project:setMapView': (view) => {
        const project = this.requireProject();
        if (!project.readOnly) project.setSetting('map_view', view);
        return null;
      },
      'project:getMapView': () => this.requireProject().getMapView(),
      'recent:list': () => this.recent.list(),
      'recent:remove': ({ path: file }) => this.recent.remove(file),
      'dialog:pickProjectPath': ({ mode }) => this.options.shell.pickProjectPath?.(mode) ?? null,
      'dialog:pickFiles': (options) => this.options.shell.pickFiles?.(options) ?? null,
      'dialog:pickSavePath': (options) => this.options.shell.pickSavePath?.(options) ?? null,
      'fs:list': ({ dir, extensions }) => this.files.list(dir, extensions),
    };
  }
}
