// A real Redis for the scale-out tests and bench: Debian's redis-server on a free loopback port with its own
// temporary folder, started and stopped by the caller. Missing redis-server is an error, never a skip (CI installs it
// through scripts/setup.sh).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where redis-server is: REDIS_SERVER, else on the PATH, else Debian's path. */
export function redisServerPath(): string {
  const candidates = [
    process.env.REDIS_SERVER,
    spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim(),
    '/usr/bin/redis-server',
  ];
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) {
    throw new Error(
      'redis-server is not installed, and the scale-out tests need a real Redis: install it (apt-get install redis-server; scripts/setup.sh does) or set REDIS_SERVER to its path.',
    );
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export class TestRedis {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'cm-redis-'));

  private constructor(readonly port: number) {}

  /** Started with an append-only file (fsync always), so a stop and start keeps the queue as a managed Redis does. */
  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and folder; resolves once it answers. */
  async resume(): Promise<void> {
    this.process = spawn(
      redisServerPath(),
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 200; i++) {
      if (await answers(this.port)) return;
      if (this.process.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}.`);
  }

  /** Stops the server (SIGTERM: it writes its append-only file and exits). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
