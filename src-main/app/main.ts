// Electron main: lifecycle, the window, dialogs and IPC registration. Thin: the work happens in the services.
import { app, BrowserWindow, dialog, session } from 'electron';
import os from 'node:os';
import path from 'node:path';
import type { ApiHandlers, Channel, ParsedRequest } from '../ipc/contract';
import { consoleLogger, dispatch } from '../ipc/dispatch';
import { registerIpc } from './ipcBridge';
import { appPlanetKeys, planetKeyEnvironment, planetKeyHandlers } from './planetKeyStorage';
import { makeReportInApp } from './reportPdf';
import { ServicesProcess } from './servicesProcess';
import { systemProxyEnvironment } from './systemProxy';
import { APP_ORIGIN, registerRendererScheme, serveRenderer } from './rendererProtocol';
import { hardenSessions } from './security';

registerRendererScheme();
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;

async function pickProjectPath(mode: 'save' | 'open'): Promise<string | null> {
  const filters = [{ name: 'ChangeMap project (GeoPackage)', extensions: ['gpkg'] }];
  const owner = mainWindow ?? undefined;
  if (mode === 'save') {
    const result = owner
      ? await dialog.showSaveDialog(owner, { title: 'New ChangeMap project', filters })
      : await dialog.showSaveDialog({ title: 'New ChangeMap project', filters });
    return result.canceled || !result.filePath ? null : result.filePath;
  }
  const options = { title: 'Open ChangeMap project', filters, properties: ['openFile' as const] };
  const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function pickFiles(options: {
  title: string;
  extensions: string[];
  multiple: boolean;
}): Promise<string[] | null> {
  const dialogOptions = {
    title: options.title,
    filters: options.extensions.length
      ? [{ name: options.extensions.join(', '), extensions: options.extensions }]
      : [],
    properties: options.multiple ? (['openFile', 'multiSelections'] as const) : (['openFile'] as const),
  };
  const result = mainWindow
    ? await dialog.showOpenDialog(mainWindow, { ...dialogOptions, properties: [...dialogOptions.properties] })
    : await dialog.showOpenDialog({ ...dialogOptions, properties: [...dialogOptions.properties] });
  return result.canceled || result.filePaths.length === 0 ? null : result.filePaths;
}

async function pickSavePath(options: {
  title: string;
  extension: string;
  defaultPath?: string;
}): Promise<string | null> {
  const dialogOptions = {
    title: options.title,
    defaultPath: options.defaultPath,
    filters: [{ name: options.extension.toUpperCase(), extensions: [options.extension] }],
  };
  const result = mainWindow
    ? await dialog.showSaveDialog(mainWindow, dialogOptions)
    : await dialog.showSaveDialog(dialogOptions);
  return result.canceled || !result.filePath ? null : result.filePath;
}

/**
 * The window's icon (Linux and Windows; macOS takes the app bundle's): shipped beside the app by
 * electron-builder.yml's extraResources, read from resources/ in a checkout.
 */
function windowIconPath(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'window-icon.png')
    : path.join(app.getAppPath(), 'resources', 'icons', '256x256.png');
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    icon: windowIconPath(),
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'ChangeMap',
    backgroundColor: '#f4f5f7',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      // A middle click would open a link in a new window (denied anyway); ChangeMap uses no auxclick (Electronegativity).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

/** A project file passed on the command line or by the OS file association. */
function projectFromArgv(argv: string[]): string | undefined {
  return argv.slice(app.isPackaged ? 1 : 2).find((arg) => arg.toLowerCase().endsWith('.gpkg'));
}

const hasLock = app.requestSingleInstanceLock();
if (!hasLock) {
  app.quit();
} else {
  // Every service runs in a utility process (started once the app is ready); main answers only what needs the
  // shell (dialogs, app facts).
  let services: ServicesProcess | null = null;
  let openWhenReady: string | undefined;
  // The store reads safeStorage only when asked, which is after the app is ready.
  const planetKeys = appPlanetKeys();
  const mainHandlers = {
    'app:info': () => ({
      version: app.getVersion(),
      transport: 'electron' as const,
      platform: process.platform,
      nativeDialogs: true,
      homeDir: os.homedir(),
    }),
    'dialog:pickProjectPath': ({ mode }: { mode: 'save' | 'open' }) => pickProjectPath(mode),
    'dialog:pickFiles': pickFiles,
    'dialog:pickSavePath': pickSavePath,
    // PDFs are printed here, by Electron's engine; the services write the HTML (app/reportPdf.ts).
    'report:make': (request: ParsedRequest<'report:make'>) =>
      makeReportInApp((channel, payload) => services!.call(channel, payload), request),
    // The Planet key is kept here, with the OS's secure storage (made once the app is ready).
    ...planetKeyHandlers(planetKeys, (channel, payload) => services!.call(channel, payload)),
  } as Partial<ApiHandlers>;
  const route = (channel: Channel, payload: unknown) =>
    channel in mainHandlers
      ? dispatch(mainHandlers as ApiHandlers, channel, payload, consoleLogger)
      : services!.call(channel, payload);

  const openFromShell = (file: string | undefined): void => {
    if (!file) return;
    if (!services) {
      openWhenReady = file; // macOS sends open-file before the app is ready
      return;
    }
    void services.call('project:open', { path: file }).then((result) => {
      if (!result.ok) dialog.showErrorBox('ChangeMap could not open the project', result.error.message);
    });
  };

  app.on('second-instance', (_event, argv) => {
    openFromShell(projectFromArgv(argv));
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openFromShell(file);
  });

  void app.whenReady().then(async () => {
    hardenSessions();
    const proxyEnvironment = await systemProxyEnvironment(session.defaultSession);
    serveRenderer(path.join(__dirname, '../renderer'));
    services = new ServicesProcess(
      path.join(__dirname, 'services.utility.js'),
      // A function: a restarted services process learns the Planet key as it is then.
      () => ({
        CHANGEMAP_USER_DATA: app.getPath('userData'),
        CHANGEMAP_VERSION: app.getVersion(),
        CHANGEMAP_MODELS_DIR: app.isPackaged ? path.join(process.resourcesPath, 'models') : '',
        CHANGEMAP_WORKERS_DIR: __dirname,
        ...proxyEnvironment,
        ...planetKeyEnvironment(planetKeys),
      }),
      // The window also gets the sentence as a warning; a dialog makes sure it is seen.
      { onGiveUp: (message) => dialog.showErrorBox('ChangeMap stopped working', message) },
    );
    const running = services;
    registerIpc(route, (listener) => running.onEvent(listener), consoleLogger);
    mainWindow = createWindow();
    openFromShell(openWhenReady ?? projectFromArgv(process.argv));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => services?.stop());
}
