// `npm run test:hostile`: writes the hostile-input corpus (corpus.ts) into a temporary folder and runs every case
// against the real command line (a child process of bin/changemap.js) and the real browser host (`changemap serve`
// over loopback, driven with its token over HTTP and a WebSocket as the UI is), each under a 30 s limit with its peak
// resident memory measured (VmHWM of the process, reset between host cases). Exits 1 on any crash, hang, stack trace,
// missing code, silent wrong result or peak over 1.5 GB. Flags: --only TEXT (cases whose id contains it), --keep
// (leave the generated corpus), --jobs N (command-line cases at once; default 2).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { GROUPS, makeCorpus, type HostileCase, type HostStep } from './corpus';
import { CASE_TIMEOUT_MS, judge, type Expected, type Outcome } from './judge';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin', 'changemap.js');

interface Result {
  id: string;
  surface: 'cli' | 'host';
  ms: number;
  peakBytes: number;
  problems: string[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // gone
  }
}

/** Polls a process's peak resident memory until stopped; returns the highest seen. */
function watchPeak(pid: number): () => number {
  let peak = vmHwm(pid);
  const timer = setInterval(() => (peak = Math.max(peak, vmHwm(pid))), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, vmHwm(pid));
  };
}

/** As root, a case that needs an unprivileged user runs as `nobody` (setpriv execs in place: the pid stays). */
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

/** Why an unprivileged case cannot run here (nobody cannot read this checkout), or null. */
function unprivilegedBlocked(): string | null {
  if (process.getuid?.() !== 0) return null;
  const check = `require('fs').accessSync(${JSON.stringify(bin)})`;
  const probe = spawnSync(NOBODY[0], [...NOBODY.slice(1), process.execPath, '-e', check]);
  return probe.status === 0 ? null : 'as root, and the unprivileged user cannot read this checkout';
}

async function runCli(c: HostileCase, work: string): Promise<Result> {
  const started = Date.now();
  const asNobody = c.unprivileged && process.getuid?.() === 0;
  const userDir = path.join(work, asNobody ? 'user-nobody' : 'user-cli');
  if (asNobody) {
    fs.mkdirSync(userDir, { recursive: true });
    fs.chmodSync(userDir, 0o777);
  }
  const [command, ...args] = [...(asNobody ? NOBODY : []), process.execPath, bin, ...c.cli!];
  const child = spawn(command, args, {
    cwd: asNobody ? '/' : work,
    env: {
      ...process.env,
      ...(asNobody ? { HOME: userDir } : {}),
      CHANGEMAP_USER_DATA: userDir,
      CHANGEMAP_DEBUG: '',
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stopPeak = watchPeak(child.pid!);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, CASE_TIMEOUT_MS);
  const { exit, signal } = await new Promise<{ exit: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (exit, signal) => resolve({ exit, signal })),
  );
  clearTimeout(timer);
  const peakBytes = stopPeak();
  const outcome: Outcome = { exit, signal: timedOut ? null : signal, timedOut, output, peakBytes };
  const expected = c.expect!;
  const problems = judge(outcome, expected);
  const extra = expected.after?.();
  if (extra) problems.push(extra);
  return { id: c.id, surface: 'cli', ms: Date.now() - started, peakBytes, problems };
}

// ---- the browser host ----------------------------------------------------------------------------------------------

interface Host {
  child: ChildProcess;
  port: number;
  cookie: string;
  /** Everything the host wrote since the last call of `take`. */
  take(): string;
  exited: () => string | null;
}

/** Starting the host is not a case: a cold start under load (transpiling every module) may take a while. */
const HOST_START_MS = 120_000;

async function startHost(work: string): Promise<Host> {
  const www = path.join(work, 'www');
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>ChangeMap</title>');
  const child = spawn(process.execPath, [bin, 'serve', '--static', www], {
    cwd: work,
    env: { ...process.env, CHANGEMAP_USER_DATA: path.join(work, 'user-host'), CHANGEMAP_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let exitedWith: string | null = null;
  child.on('exit', (code, signal) => (exitedWith = `host exited (${signal ?? code})`));
  child.stderr!.on('data', (d) => (log += d));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the host did not start within 2 minutes: ${out}${log}`));
    }, HOST_START_MS);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]));
      }
    });
    child.stdout!.on('data', (d) => (log += d));
  });
  const port = Number(url.port);
  // As the browser does: the token in the address is traded for the cookie every later request carries.
  const cookie = await new Promise<string>((resolve, reject) => {
    http
      .get(url, { headers: { host: `127.0.0.1:${port}` } }, (res) => {
        res.resume();
        const set = res.headers['set-cookie']?.[0];
        if (res.statusCode === 303 && set) resolve(set.split(';')[0]);
        else reject(new Error(`the host did not trade its token for a cookie (${res.statusCode})`));
      })
      .on('error', reject);
  });
  return {
    child,
    port,
    cookie,
    take: () => {
      const t = log;
      log = '';
      return t;
    },
    exited: () => exitedWith,
  };
}

function openSocket(host: Host): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, {
      headers: { cookie: host.cookie, origin: `http://127.0.0.1:${host.port}` },
      maxPayload: 64 << 20,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`socket refused (${res.statusCode})`)));
  });
}

interface Reply {
  seq: number | null;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

let seq = 100;
/** Sends one call and waits for its reply (or the close of the socket). */
function call(ws: WebSocket, channel: string, payload: unknown): Promise<Reply> {
  const mine = ++seq;
  return sendAndWait(ws, JSON.stringify({ seq: mine, type: channel, payload }), (r) => r.seq === mine);
}

function sendAndWait(ws: WebSocket, text: string, match: (r: Reply) => boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as Reply;
      if ('event' in reply) return;
      if (match(reply)) {
        ws.off('message', onMessage);
        resolve(reply);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => reject(new Error(`socket closed ${code}`)));
    ws.send(text);
  });
}

/** The text a reply stands for in the judged output: its message and code, like the command line's line. */
const replyText = (r: Reply) =>
  r.ok ? `ok ${JSON.stringify(r.value)}` : `${r.error?.message} [${r.error?.code}]`;

async function runHostStep(host: Host, step: HostStep): Promise<{ text: string; expected: Expected }> {
  if ('frame' in step || 'close' in step) {
    const ws = await openSocket(host);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    if ('frame' in step) (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(step.frame);
    else ws.send(step.message);
    const code = await closed;
    return {
      text: `socket closed ${code}`,
      expected: { exit: 0, warning: new RegExp(`closed ${step.close}\\b`) },
    };
  }
  const ws = await openSocket(host);
  try {
    if ('message' in step) {
      const reply = await sendAndWait(ws, step.message, (r) => !r.ok);
      return { text: replyText(reply), expected: { exit: 0, code: step.code } };
    }
    let text = '';
    for (const [i, c] of step.calls.entries()) {
      const reply = await call(ws, c.channel, c.payload);
      text = replyText(reply);
      // Every call before the last sets the case up and must succeed.
      if (i < step.calls.length - 1 && !reply.ok) break;
    }
    return {
      text,
      expected: { exit: 0, code: step.code, warning: step.code ? undefined : (step.warning ?? /^ok /) },
    };
  } finally {
    ws.close();
  }
}

async function runHost(c: HostileCase, host: Host): Promise<Result> {
  const started = Date.now();
  const pid = host.child.pid!;
  // Reset the host's peak (VmHWM) so it measures this case alone.
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not allowed here: the peak then includes earlier cases, which only overstates it.
  }
  host.take();
  const stopPeak = watchPeak(pid);
  let text: string;
  let expected: Expected = { exit: 0, code: (c.host as { code?: string }).code };
  let timedOut = false;
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => ((timedOut = true), reject(new Error('timeout'))), CASE_TIMEOUT_MS),
    );
    ({ text, expected } = await Promise.race([runHostStep(host, c.host!), timeout]));
  } catch (error) {
    text = `the case could not finish: ${(error as Error).message}`;
  }
  // The host must still answer, with nothing left open for the next case.
  let alive = false;
  if (!timedOut && !host.exited()) {
    try {
      const ws = await openSocket(host);
      alive = (await call(ws, 'app:info', {})).ok;
      await call(ws, 'project:close', {});
      ws.close();
    } catch {
      alive = false;
    }
  }
  const peakBytes = stopPeak();
  const outcome: Outcome = {
    exit: alive ? 0 : 1,
    signal: host.exited(),
    timedOut,
    output: `${text}\n${host.take()}`,
    peakBytes,
  };
  const problems = judge(outcome, expected);
  if (!alive && !timedOut) problems.push('the host stopped answering');
  return { id: c.id, surface: 'host', ms: Date.now() - started, peakBytes, problems };
}

// ---- the whole corpus ----------------------------------------------------------------------------------------------

async function pool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-hostile-'));
  fs.chmodSync(work, 0o755); // cases run as an unprivileged user reach their files through it
  const only = arg('--only');
  const jobs = Number(arg('--jobs') ?? 2);
  process.chdir(root);
  const all = await makeCorpus(path.join(work, 'corpus'));
  const cases = all.filter((c) => !only || c.id.includes(only));
  const kinds = new Set(cases.map((c) => c.id.split('/')[0]));
  console.log(
    `hostile corpus: ${cases.length} cases, ${kinds.size} kinds in ${GROUPS.length} groups (generated in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  const results: Result[] = [];
  const report = (r: Result) => {
    results.push(r);
    const mark = r.problems.length ? 'FAIL' : 'ok  ';
    console.log(
      `${mark} ${r.surface.padEnd(4)} ${r.id.padEnd(40)} ${String(r.ms).padStart(6)} ms ${(r.peakBytes / 2 ** 20).toFixed(0).padStart(5)} MiB${r.problems.length ? `\n       ${r.problems.join('\n       ')}` : ''}`,
    );
  };
  // Cases that hold something (a lock) run alone, before the others start.
  const blocked = unprivilegedBlocked();
  const run = async (c: HostileCase, surface: 'cli' | 'host', host?: Host) => {
    if (c.unprivileged && blocked) {
      console.log(`skip ${surface.padEnd(4)} ${c.id.padEnd(40)} cannot run ${blocked}`);
      return;
    }
    const release = c.hold?.();
    try {
      report(surface === 'cli' ? await runCli(c, work) : await runHost(c, host!));
    } finally {
      release?.();
    }
  };
  const host = await startHost(work);
  // The host never outlives the runner, however the runner ends.
  process.once('exit', () => host.child.kill('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      host.child.kill('SIGKILL');
      process.exit(130);
    });
  try {
    const cli = cases.filter((c) => c.cli);
    const hosted = cases.filter((c) => c.host);
    await Promise.all([
      pool(cli, jobs, (c) => run(c, 'cli')),
      (async () => {
        for (const c of hosted) await run(c, 'host', host);
      })(),
    ]);
  } finally {
    host.child.kill('SIGTERM');
    if (!process.argv.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`corpus kept in ${work}`);
  }
  if (results.length === 0) {
    console.log('no case matched');
    return 1;
  }
  const failed = results.filter((r) => r.problems.length > 0);
  const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a));
  const highest = results.reduce((a, b) => (b.peakBytes > a.peakBytes ? b : a));
  console.log(
    `\n${results.length} executions (${results.filter((r) => r.surface === 'cli').length} command line, ${results.filter((r) => r.surface === 'host').length} browser host) of ${cases.length} cases, ${kinds.size} kinds: ${failed.length} failed. ` +
      `Slowest: ${slowest.id} (${slowest.surface}) ${(slowest.ms / 1000).toFixed(1)} s; highest peak: ${highest.id} (${highest.surface}) ${(highest.peakBytes / 2 ** 20).toFixed(0)} MiB; ` +
      `whole corpus ${((Date.now() - started) / 1000).toFixed(0)} s on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}).`,
  );
  return failed.length ? 1 : 0;
}

process.exitCode = await main();
