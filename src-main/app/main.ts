// Electron main: lifecycle, the window, dialogs and IPC registration. Thin: the work happens in the services.
import { app, BrowserWindow, dialog } from 'electron';
import path from 'node:path';
import { consoleLogger } from '../ipc/dispatch';
import { AppSession } from '../services/session';
import { registerIpc } from './ipcBridge';
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

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
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
  const session = new AppSession({
    userDataDir: app.getPath('userData'),
    version: app.getVersion(),
    shell: { transport: 'electron', pickProjectPath, pickFiles, pickSavePath },
    modelsDir: app.isPackaged ? path.join(process.resourcesPath, 'models') : undefined,
  });
  const openFromShell = (file: string | undefined): void => {
    if (!file) return;
    try {
      session.openProject(file);
    } catch (error) {
      dialog.showErrorBox('ChangeMap could not open the project', (error as Error).message);
    }
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

  void app.whenReady().then(() => {
    hardenSessions();
    serveRenderer(path.join(__dirname, '../renderer'));
    registerIpc(session.handlers(), session.events, consoleLogger);
    mainWindow = createWindow();
    openFromShell(projectFromArgv(process.argv));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => session.dispose());
}
