// The desktop app prints a report's PDF with Electron's own engine (webContents.printToPDF): the services write
// the report's HTML to a temporary folder (report:make with an .html target), a hidden window with scripts off
// loads it, and the PDF is written atomically where the user asked. HTML reports go to the services as they are.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrowserWindow } from 'electron';
import { ChangeMapError } from '../core/errors';
import type { ParsedRequest, ReportResult } from '../ipc/contract';
import type { Result } from '../ipc/envelope';
import { withAtomicFile } from '../services/fileSafety/atomicWrite';

type CallServices = (channel: 'report:make', payload: unknown) => Promise<Result<unknown>>;

async function printToPdf(htmlPath: string, pdfPath: string): Promise<void> {
  const window = new BrowserWindow({
    show: false,
    webPreferences: {
      javascript: false,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick', // as the main window (Electronegativity's AUXCLICK check)
    },
  });
  try {
    await window.loadFile(htmlPath);
    const pdf = await window.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    fs.writeFileSync(pdfPath, pdf);
  } finally {
    window.destroy();
  }
}

export async function makeReportInApp(
  callServices: CallServices,
  request: ParsedRequest<'report:make'>,
): Promise<ReportResult> {
  if (!/\.pdf$/i.test(request.out)) {
    const result = await callServices('report:make', request);
    if (!result.ok) throw new ChangeMapError(result.error.code, result.error.message);
    return result.value as ReportResult;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'changemap-report-'));
  try {
    const htmlPath = path.join(dir, 'report.html');
    const html = await callServices('report:make', { ...request, out: htmlPath, overwrite: true });
    if (!html.ok) throw new ChangeMapError(html.error.code, html.error.message);
    const out = path.resolve(request.out);
    await withAtomicFile(out, (tmp) => printToPdf(htmlPath, tmp), {
      overwrite: request.overwrite,
      codePrefix: 'REPORT',
    });
    return { path: out, format: 'pdf', engine: `Electron ${process.versions.electron}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
