// `npm run lint` runs this: Electronegativity (Doyensec's Electron security scanner) over what ships in the app
// (src-main without tests, the renderer's index.html and sources, package.json for Electron's version). Every high or
// medium finding must be explained in scripts/electronegativity.accepted.json (check, file, reason); a new one fails,
// and so does an explanation whose finding is gone (the list stays true). Svelte components are not scanned (the
// tool reads JS/TS/HTML only); the renderer's only way out is the preload's contract, which is.
//
// Offline: the check that downloads Electron's release list (AvailableSecurityFixesGlobalCheck) is left out, since
// its answer would depend on the network; Electron's version is pinned in package.json and given to the tool.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');

export const ACCEPTED_FILE = path.join(import.meta.dirname, 'electronegativity.accepted.json');
/** Severity from which a finding must be explained (Electronegativity's values: HIGH 3, MEDIUM 2, LOW 1). */
const MEDIUM = 2;
const OFFLINE_EXCLUDED = ['AvailableSecurityFixesGlobalCheck'];

export interface Finding {
  check: string;
  file: string;
  line: number;
  severity: string;
  severityValue: number;
  description: string;
}

export interface Accepted {
  check: string;
  file: string;
  reason: string;
}

interface Issue {
  id: string;
  file: string;
  location: { line: number };
  severity: { name: string; value: number };
  description: string;
}
type Run = (
  options: object,
) => Promise<{ issues: Issue[]; errors: { file: string; message: string; tolerable: boolean }[] }>;

/** Scans a folder with Electronegativity's own runner; files are reported relative to it, with '/' separators. */
export async function scan(dir: string, electronVersion: string): Promise<Finding[]> {
  const run = require('@doyensec/electronegativity') as Run;
  // The runner says on stdout that it could not fetch translations (offline); that line is noise here.
  const log = console.log;
  console.log = () => undefined;
  let result: Awaited<ReturnType<Run>>;
  try {
    result = await run({
      input: dir,
      isRelative: true,
      electronVersionOverride: electronVersion,
      excludeFromScan: OFFLINE_EXCLUDED,
    });
  } finally {
    console.log = log;
  }
  const unparsed = result.errors.filter((e) => !e.tolerable);
  if (unparsed.length > 0) {
    throw new Error(
      `Electronegativity could not parse ${unparsed.map((e) => `${e.file} (${e.message})`).join(', ')}`,
    );
  }
  return result.issues.map((issue) => ({
    check: issue.id,
    file: issue.file.split(path.sep).join('/'),
    line: issue.location.line,
    severity: issue.severity.name,
    severityValue: issue.severity.value,
    description: issue.description,
  }));
}

/** High and medium findings without an explanation, and explanations without their finding. */
export function review(
  findings: Finding[],
  accepted: Accepted[],
): { unexplained: Finding[]; stale: Accepted[] } {
  const serious = findings.filter((f) => f.severityValue >= MEDIUM);
  const explained = (f: Finding) => accepted.some((a) => a.check === f.check && a.file === f.file);
  return {
    unexplained: serious.filter((f) => !explained(f)),
    stale: accepted.filter((a) => !serious.some((f) => f.check === a.check && f.file === a.file)),
  };
}

/** What ships: src-main without tests and test helpers, the renderer's page and sources, package.json. */
export function stageShippedSources(target: string): void {
  const shipped = (source: string) => !/\.test\.ts$|[\\/]testing([\\/]|$)/.test(source);
  fs.cpSync(path.join(root, 'src-main'), path.join(target, 'src-main'), { recursive: true, filter: shipped });
  fs.cpSync(path.join(root, 'src-renderer', 'src'), path.join(target, 'src-renderer', 'src'), {
    recursive: true,
    filter: shipped,
  });
  fs.copyFileSync(
    path.join(root, 'src-renderer', 'index.html'),
    path.join(target, 'src-renderer', 'index.html'),
  );
  fs.copyFileSync(path.join(root, 'package.json'), path.join(target, 'package.json'));
}

export function readAccepted(file = ACCEPTED_FILE): Accepted[] {
  const { accepted } = JSON.parse(fs.readFileSync(file, 'utf8')) as { accepted: Accepted[] };
  for (const a of accepted) {
    if (!a.check || !a.file || !a.reason?.trim())
      throw new Error(`${file}: every entry needs a check, a file and a reason.`);
  }
  return accepted;
}

async function main(): Promise<number> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const electronVersion = pkg.devDependencies.electron.replace(/^[^\d]*/, '');
  const staged = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-electronegativity-'));
  try {
    stageShippedSources(staged);
    const findings = await scan(staged, electronVersion);
    const { unexplained, stale } = review(findings, readAccepted());
    const explainedCount = findings.filter((f) => f.severityValue >= MEDIUM).length - unexplained.length;
    for (const f of unexplained) {
      console.error(
        `electronegativity: ${f.severity} ${f.check} in ${f.file}:${f.line} is not explained: ${f.description}\n` +
          `  Fix it, or add { check, file, reason } to ${path.relative(root, ACCEPTED_FILE)} if it is a false positive.`,
      );
    }
    for (const a of stale) {
      console.error(
        `electronegativity: ${a.check} in ${a.file} is explained in ${path.relative(root, ACCEPTED_FILE)} but no longer found; remove that entry.`,
      );
    }
    if (unexplained.length || stale.length) return 1;
    console.log(
      `electronegativity: ${findings.length} findings on Electron ${electronVersion}; every high or medium one (${explainedCount}) explained.`,
    );
    return 0;
  } finally {
    fs.rmSync(staged, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`electronegativity: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
