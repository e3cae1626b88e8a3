// Makes a run's report: HTML (self-contained) or PDF printed from that HTML by a browser engine, written
// atomically (a failure leaves neither a partial file nor a temporary one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedRequest, ReportResult } from '../../ipc/contract';
import { withAtomicFile, writeFileAtomic } from '../fileSafety/atomicWrite';
import { findPdfEngine, type PdfEngine } from './printPdf';
import { gatherReportData, type ReportSources } from './reportData';
import { reportHtml } from './reportHtml';

export async function makeReport(
  services: ReportSources,
  request: ParsedRequest<'report:make'>,
  engine: () => Promise<PdfEngine> = () => findPdfEngine(),
): Promise<ReportResult> {
  const out = path.resolve(request.out);
  const pdf = /\.pdf$/i.test(out);
  // Find the engine before the work: a machine without one is told what to install at once.
  const printer = pdf ? await engine() : null;
  const html = reportHtml(await gatherReportData(services, request.runId, request.largestRegions));
  const atomic = { overwrite: request.overwrite, codePrefix: 'REPORT' };
  if (!printer) {
    await writeFileAtomic(out, html, atomic);
    return { path: out, format: 'html', engine: null };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'changemap-report-'));
  try {
    const htmlPath = path.join(dir, 'report.html');
    fs.writeFileSync(htmlPath, html);
    await withAtomicFile(out, (tmp) => printer.print(htmlPath, tmp), atomic);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { path: out, format: 'pdf', engine: printer.name };
}
