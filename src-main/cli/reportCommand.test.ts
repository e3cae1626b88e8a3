// `changemap report` as a user runs it (a child process): HTML, PDF through the machine's browser engine
// (checked with pdftotext), and a clear refusal where no engine is found.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TWO_PLANTED_CHANGES, utmGrid, writePlantedPair } from '../services/imagery/testing/fixtures';
import { runCli, tinyRunArgs } from './testing/cliChild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-report-'));
const project = path.join(dir, 'p.gpkg');

const changemap = (env: Record<string, string>, ...args: string[]) =>
  runCli(args, { userData: path.join(dir, 'user'), timeout: 120_000, env });

beforeAll(async () => {
  const [before, after] = [path.join(dir, 'before.tif'), path.join(dir, 'after.tif')];
  // The bright block alone: one region to report.
  await writePlantedPair(
    before,
    after,
    utmGrid(256, 256, 500000, 5600000, 3),
    TWO_PLANTED_CHANGES.slice(0, 1),
  );
  const made = changemap({}, ...tinyRunArgs(before, after, project));
  expect(made.status, made.stderr).toBe(0);
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('changemap report', () => {
  it('writes the HTML report of the last run', () => {
    const out = path.join(dir, 'report.html');
    const r = changemap({}, 'report', '--project', project, '--out', out, '--regions', '1');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Wrote the report of run 1 to ${out}`);
    expect(fs.readFileSync(out, 'utf8')).toContain('Region 1:');
  });

  it('prints the PDF with the browser engine it finds', () => {
    const out = path.join(dir, 'report.pdf');
    const r = changemap({}, 'report', '--project', project, '--out', out, '--regions', '1');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/printed by (Electron|Chromium) at /);
    const text = execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' });
    expect(text).toContain('ChangeMap report');
    expect(text).toContain('Region 1:');
  }, 60_000);

  it('says what to install when no browser engine is found, and writes nothing', () => {
    const out = path.join(dir, 'none.pdf');
    const r = changemap({ CHANGEMAP_PDF_ENGINE: 'none' }, 'report', '--project', project, '--out', out);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /No browser engine was found to print the PDF: install Chromium .* \[REPORT_NO_BROWSER\]/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses a file that is neither .html nor .pdf (usage)', () => {
    const r = changemap({}, 'report', '--project', project, '--out', path.join(dir, 'report.docx'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('A report is written to a .html or .pdf file.');
  });
});
