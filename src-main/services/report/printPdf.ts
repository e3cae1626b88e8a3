// Prints a report's HTML file to PDF with a browser engine found on the machine: the Electron binary (its
// webContents.printToPDF, in a short-lived Electron process) where installed, else a Chromium through
// playwright-core (its own download, CHROMIUM_PATH, or the system's). The desktop app prints in its main
// process instead (app/reportPdf.ts); this is for the command line and the browser host.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChangeMapError } from '../../core/errors';

export interface PdfEngine {
  /** What prints, in words ("Electron 45.5.0", "Chromium at /usr/bin/chromium"). */
  name: string;
  print(htmlPath: string, pdfPath: string): Promise<void>;
}

const SYSTEM_CHROMIUMS: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  ],
};

export const NO_ENGINE_MESSAGE =
  'No browser engine was found to print the PDF: install Chromium (Debian/Ubuntu: apt-get install chromium; ' +
  'anywhere: npx playwright install chromium) or Electron, set CHROMIUM_PATH to a Chrome or Chromium, or write ' +
  'the report as .html and print it from a browser.';

/**
 * The Electron binary when it was downloaded, read the way scripts/ensure-electron.mjs reads it (the package's
 * path.txt): never through require('electron'), which starts a download when the binary is missing.
 */
function electronBinary(): string | null {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const exe = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8'));
    return fs.existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

// Loaded by the Electron binary as its main script: no window shown, scripts off, one page printed.
const ELECTRON_PRINT_SCRIPT = `
const { app, BrowserWindow } = require('electron');
const fs = require('node:fs');
const [html, pdf] = process.argv.slice(-2);
app.whenReady().then(async () => {
  const win = new BrowserWindow({ show: false, webPreferences: { javascript: false, sandbox: true } });
  await win.loadFile(html);
  const bytes = await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
  fs.writeFileSync(pdf, bytes);
  app.exit(0);
}).catch((error) => { console.error(error && error.message); app.exit(1); });
`;

function electronEngine(binary: string): PdfEngine {
  return {
    name: `Electron at ${binary}`,
    async print(htmlPath, pdfPath) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'changemap-print-'));
      const script = path.join(dir, 'print.cjs');
      fs.writeFileSync(script, ELECTRON_PRINT_SCRIPT);
      try {
        await new Promise<void>((resolve, reject) => {
          const env = { ...process.env };
          delete env.ELECTRON_RUN_AS_NODE;
          const child = spawn(binary, [script, htmlPath, pdfPath], {
            env,
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('error', reject);
          child.on('exit', (code) =>
            code === 0
              ? resolve()
              : reject(
                  new ChangeMapError(
                    'REPORT_PRINT_FAILED',
                    `Electron could not print the report (${stderr.trim().split('\n').pop() ?? `exit ${code}`}); write it as .html instead.`,
                  ),
                ),
          );
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function chromiumExecutable(): Promise<string | null> {
  const candidates = [process.env.CHROMIUM_PATH];
  try {
    const { chromium } = await import('playwright-core');
    candidates.push(chromium.executablePath());
  } catch {
    // playwright-core is not installed (a packaged app): the system's browsers below may still do.
  }
  candidates.push(...(SYSTEM_CHROMIUMS[process.platform] ?? []));
  return candidates.find((c): c is string => Boolean(c) && fs.existsSync(c!)) ?? null;
}

function chromiumEngine(executablePath: string): PdfEngine {
  return {
    name: `Chromium at ${executablePath}`,
    async print(htmlPath, pdfPath) {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage({ javaScriptEnabled: false });
        await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
        await page.pdf({ path: pdfPath, format: 'A4', printBackground: true, preferCSSPageSize: true });
      } finally {
        await browser.close();
      }
    },
  };
}

export interface EngineFinders {
  electron(): string | null;
  chromium(): Promise<string | null>;
}

const MACHINE_FINDERS: EngineFinders = { electron: electronBinary, chromium: chromiumExecutable };

/**
 * The engine that will print: Electron first, else Chromium, or REPORT_NO_BROWSER saying what to install.
 * CHANGEMAP_PDF_ENGINE=electron|chromium uses only that one; =none finds none (PDFs are then refused).
 */
export async function findPdfEngine(finders: EngineFinders = MACHINE_FINDERS): Promise<PdfEngine> {
  const only = process.env.CHANGEMAP_PDF_ENGINE;
  const electron = only === undefined || only === 'electron' ? finders.electron() : null;
  if (electron) return electronEngine(electron);
  const chromium = only === undefined || only === 'chromium' ? await finders.chromium() : null;
  if (chromium) return chromiumEngine(chromium);
  throw new ChangeMapError('REPORT_NO_BROWSER', NO_ENGINE_MESSAGE);
}
