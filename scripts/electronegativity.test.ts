// The Electronegativity gate of `npm run lint` (scripts/electronegativity.ts): a real scan finds a real
// misconfiguration, an unexplained high or medium finding fails the review, and an explanation whose finding is gone
// fails too. The repository's own scan runs in the lint step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAccepted, review, scan, type Finding } from './electronegativity';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-electronegativity-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const finding = (check: string, file: string, severityValue: number): Finding => ({
  check,
  file,
  line: 1,
  severity: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH'][severityValue],
  severityValue,
  description: check,
});

describe('Electronegativity review', () => {
  it('fails a high or medium finding that is not explained, and an explanation without its finding', () => {
    const findings = [
      finding('PRELOAD_JS_CHECK', 'src-main/app/main.ts', 2),
      finding('NODE_INTEGRATION_JS_CHECK', 'src-main/app/main.ts', 3),
      finding('CSP_GLOBAL_CHECK', 'src-renderer/index.html', 1),
    ];
    const accepted = [
      { check: 'PRELOAD_JS_CHECK', file: 'src-main/app/main.ts', reason: 'reviewed' },
      { check: 'AUXCLICK_JS_CHECK', file: 'src-main/app/main.ts', reason: 'fixed since' },
    ];
    const { unexplained, stale } = review(findings, accepted);
    expect(unexplained.map((f) => f.check)).toEqual(['NODE_INTEGRATION_JS_CHECK']); // low ones need no reason
    expect(stale.map((a) => a.check)).toEqual(['AUXCLICK_JS_CHECK']);
    // The same check in another file is another finding.
    expect(
      review([finding('PRELOAD_JS_CHECK', 'src-main/app/other.ts', 2)], accepted.slice(0, 1)).unexplained,
    ).toHaveLength(1);
  });

  it('the committed explanations each name a check, a file and a reason', () => {
    const accepted = readAccepted();
    expect(accepted.length).toBeGreaterThan(0);
    for (const a of accepted) expect(a.reason.length).toBeGreaterThan(40);
  });

  it('a real scan of a window without context isolation, sandbox or navigation guard fails the review', async () => {
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'bad', devDependencies: { electron: '45.5.0' } }),
    );
    fs.writeFileSync(
      path.join(dir, 'main.js'),
      `const { BrowserWindow } = require('electron');\n` +
        `new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n`,
    );
    const findings = await scan(dir, '45.5.0');
    const { unexplained } = review(findings, readAccepted());
    const checks = unexplained.map((f) => f.check);
    // Each a medium or high finding, and none of them explained: the lint step would fail.
    expect(checks).toEqual(
      expect.arrayContaining([
        'CONTEXT_ISOLATION_JS_CHECK',
        'SANDBOX_JS_CHECK',
        'LIMIT_NAVIGATION_GLOBAL_CHECK',
      ]),
    );
    expect(unexplained.find((f) => f.check === 'CONTEXT_ISOLATION_JS_CHECK')?.file).toBe('main.js');
  }, 60_000);
});
