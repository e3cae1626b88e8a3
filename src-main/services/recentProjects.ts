// Recent projects, kept per user in a small JSON file. Stale entries stay listed (as missing) until removed.
import fs from 'node:fs';
import path from 'node:path';
import type { RecentProject } from '../ipc/contract';

const MAX_ENTRIES = 20;

interface StoredEntry {
  path: string;
  name: string;
  lastOpenedAt: string;
}

export class RecentProjects {
  private readonly file: string;

  constructor(userDataDir: string) {
    this.file = path.join(userDataDir, 'recent-projects.json');
  }

  private read(): StoredEntry[] {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (e): e is StoredEntry =>
          typeof e?.path === 'string' && typeof e?.name === 'string' && typeof e?.lastOpenedAt === 'string',
      );
    } catch {
      return []; // missing or unreadable: start afresh rather than refuse to start
    }
  }

  private write(entries: StoredEntry[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(entries, null, 2));
    fs.renameSync(temp, this.file);
  }

  list(): RecentProject[] {
    return this.read().map((e) => ({ ...e, exists: fs.existsSync(e.path) }));
  }

  touch(projectPath: string, name: string, now = new Date()): void {
    const rest = this.read().filter((e) => e.path !== projectPath);
    this.write([{ path: projectPath, name, lastOpenedAt: now.toISOString() }, ...rest].slice(0, MAX_ENTRIES));
  }

  remove(projectPath: string): RecentProject[] {
    this.write(this.read().filter((e) => e.path !== projectPath));
    return this.list();
  }
}
