// The hostile runner's verdicts: each failure the corpus exists to catch is caught.
import { describe, expect, it } from 'vitest';
import { hasStackTrace, judge, PEAK_LIMIT_BYTES, type Outcome } from './judge';

const refusal: Outcome = {
  exit: 3,
  signal: null,
  timedOut: false,
  output: 'changemap: "x.tif" is damaged; re-export it. [TIFF_TRUNCATED]\n',
  peakBytes: 100 << 20,
};

describe('judge', () => {
  it('passes a one-line refusal with its code and exit code', () => {
    expect(judge(refusal, { exit: 3, code: 'TIFF_TRUNCATED' })).toEqual([]);
  });

  it('fails a crash, a hang, a wrong exit code and a missing code', () => {
    expect(judge({ ...refusal, exit: null, signal: 'SIGSEGV' }, { exit: 3 })).toEqual([
      'crash: killed by SIGSEGV',
    ]);
    expect(judge({ ...refusal, exit: null, timedOut: true }, { exit: 3 })[0]).toMatch(/^hang/);
    expect(judge({ ...refusal, exit: 1 }, { exit: 3 })[0]).toMatch(/^exit 1, expected 3/);
    expect(judge(refusal, { exit: 3, code: 'TIFF_IFD_CYCLE' })[0]).toMatch(/no \[TIFF_IFD_CYCLE\]/);
  });

  it('fails a stack trace and an unexpected error', () => {
    const output =
      'TypeError: x is not a function\n    at run (file:///a/b.ts:3:7)\n    at node:internal/x:1:2\n';
    expect(hasStackTrace(output)).toBe(true);
    expect(hasStackTrace('changemap: at most 256 threads. [VALIDATION]')).toBe(false);
    expect(judge({ ...refusal, output }, { exit: 3 })).toContain('stack trace in the output');
    expect(judge({ ...refusal, output: 'oops [INTERNAL]' }, { exit: 3 })).toContain(
      'an unexpected error (INTERNAL)',
    );
  });

  it('fails a silent wrong result: exit 0 without the expected warning', () => {
    const silent = { ...refusal, exit: 0, output: 'Done in 1.0 s.\n' };
    expect(judge(silent, { exit: 0, warning: /have no probability/ })[0]).toMatch(/^silent wrong result/);
    expect(
      judge(
        { ...silent, output: 'warning: 9 pixels have no probability\n' },
        { exit: 0, warning: /have no probability/ },
      ),
    ).toEqual([]);
  });

  it('fails a peak over 1.5 GB', () => {
    expect(judge({ ...refusal, peakBytes: PEAK_LIMIT_BYTES + 1 }, { exit: 3 })[0]).toMatch(/^peak memory/);
  });
});
