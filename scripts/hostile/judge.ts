// What makes a hostile case fail (issue 12): a crash (a signal, or an exit code the case does not expect), a hang (the
// 30 s limit), a stack trace in the output, a refusal without its code, a silent wrong result (exit 0 without the
// warning the case expects), or a peak resident memory over the limit.

export const CASE_TIMEOUT_MS = 30_000;
export const PEAK_LIMIT_BYTES = 1.5 * 1024 ** 3;

/** What one execution of a case gave. */
export interface Outcome {
  exit: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Everything the command (or the host, for this case) wrote. */
  output: string;
  peakBytes: number;
}

export interface Expected {
  exit: number;
  code?: string;
  warning?: RegExp;
}

/** A line of a JavaScript stack trace ("    at fn (file:1:2)"). */
const STACK_LINE = /^\s+at (?:.+ \()?(?:file:|node:|\/|[A-Za-z]:\\|<anonymous>).*\d+:\d+\)?$/m;

export function hasStackTrace(text: string): boolean {
  return STACK_LINE.test(text);
}

/** Problems with an outcome; none means the case passed. */
export function judge(outcome: Outcome, expected: Expected): string[] {
  const problems: string[] = [];
  if (outcome.timedOut) problems.push(`hang: still running after ${CASE_TIMEOUT_MS / 1000} s`);
  else if (outcome.signal) problems.push(`crash: killed by ${outcome.signal}`);
  else if (outcome.exit !== expected.exit)
    problems.push(`exit ${outcome.exit}, expected ${expected.exit}${firstLine(outcome.output)}`);
  if (hasStackTrace(outcome.output)) problems.push('stack trace in the output');
  if (/\[INTERNAL\]/.test(outcome.output)) problems.push('an unexpected error (INTERNAL)');
  if (expected.code && !outcome.output.includes(`[${expected.code}]`))
    problems.push(`no [${expected.code}] in the output${firstLine(outcome.output)}`);
  if (expected.warning && !expected.warning.test(outcome.output))
    problems.push(
      expected.exit === 0
        ? `silent wrong result: exit 0 without the warning ${expected.warning}`
        : `the message does not say ${expected.warning}${firstLine(outcome.output)}`,
    );
  if (outcome.peakBytes > PEAK_LIMIT_BYTES)
    problems.push(`peak memory ${(outcome.peakBytes / 2 ** 20).toFixed(0)} MiB over the 1.5 GB limit`);
  return problems;
}

function firstLine(output: string): string {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ? `: "${line.slice(0, 200)}"` : '';
}
