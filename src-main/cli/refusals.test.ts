// Issue 12: every command that cannot open its project, or meets an error nothing handled, answers in one sentence
// with a code and the README's exit code, never a stack trace; and a refusal writes nothing.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChangeMapError } from '../core/errors';
import { ProjectStore } from '../services/project/projectStore';
import { GPKG_APPLICATION_ID } from '../services/project/schema';
import { EXIT } from './exitCodes';
import { reportUncaught } from './main';
import { CLI_BIN, runCli } from './testing/cliChild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-refusals-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const changemap = (...args: string[]) => runCli(args, { userData: path.join(dir, 'user') });

/** Projects no command can open, one of each kind. */
const bad: Record<string, { file: string; code: string }> = {};

beforeAll(() => {
  const at = (name: string) => path.join(dir, name);
  fs.writeFileSync(at('text.gpkg'), 'hello, not a database\n');
  bad.notSqlite = { file: at('text.gpkg'), code: 'NOT_A_PROJECT' };
  ProjectStore.create(at('good.gpkg')).close();
  const whole = fs.readFileSync(at('good.gpkg'));
  fs.writeFileSync(at('truncated.gpkg'), whole.subarray(0, 4096 + 100));
  bad.truncated = { file: at('truncated.gpkg'), code: 'PROJECT_CORRUPT' };
  fs.copyFileSync(at('good.gpkg'), at('toonew.gpkg'));
  const db = new Database(at('toonew.gpkg'));
  db.pragma('user_version = 99999999');
  db.close();
  bad.tooNew = { file: at('toonew.gpkg'), code: 'PROJECT_TOO_NEW' };
  const other = new Database(at('other.gpkg'));
  other.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  other.exec('CREATE TABLE t (x)');
  other.close();
  bad.notProject = { file: at('other.gpkg'), code: 'NOT_A_PROJECT' };
  fs.mkdirSync(at('folder.gpkg'));
  bad.folder = { file: at('folder.gpkg'), code: 'NOT_A_PROJECT' };
  bad.missing = { file: at('missing.gpkg'), code: 'NOT_FOUND' };
});

describe('a project no command can open', () => {
  it.each(['notSqlite', 'truncated', 'tooNew', 'notProject', 'folder', 'missing'])(
    '%s: runs and export refuse in one line with the code, exit 3',
    (kind) => {
      const { file, code } = bad[kind];
      for (const args of [
        ['runs', '--project', file],
        ['export', '--project', file, '--format', 'csv', '--out', path.join(dir, `${kind}.csv`)],
      ]) {
        const r = changemap(...args);
        expect(r.status, `${args[0]}: ${r.stderr}`).toBe(EXIT.refused);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(`[${code}]`);
        expect(fs.existsSync(path.join(dir, `${kind}.csv`))).toBe(false);
      }
    },
  );

  it('runs --json says the refusal as one JSON line', () => {
    const r = changemap('runs', '--project', bad.missing.file, '--json');
    expect(r.status).toBe(EXIT.refused);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'runs:refused', code: 'NOT_FOUND' });
  });
});

describe('an error no command handled', () => {
  afterEach(() => vi.restoreAllMocks());
  const stderrOf = (error: unknown) => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (writes.push(String(s)), true));
    const code = reportUncaught(error);
    return { code, text: writes.join('') };
  };

  it('a ChangeMapError is a refusal: its sentence and code, no stack', () => {
    const { code, text } = stderrOf(new ChangeMapError('PROJECT_CORRUPT', 'p.gpkg is damaged.'));
    expect(code).toBe(EXIT.refused);
    expect(text).toBe('changemap: p.gpkg is damaged. [PROJECT_CORRUPT]\n');
  });

  it('anything else is one line naming the error, exit 1', () => {
    const { code, text } = stderrOf(new TypeError('x is not a function\n    at somewhere'));
    expect(code).toBe(EXIT.failed);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toContain('x is not a function');
    expect(text).not.toMatch(/^\s+at /m);
  });
});

describe('a refusal writes nothing', () => {
  it('a refused run takes away the project it made (and its data folder)', () => {
    const project = path.join(dir, 'refused-run.gpkg');
    const r = changemap(
      'run',
      '--synthetic',
      '100x100',
      '--project',
      project,
      '--model',
      path.join(dir, 'nope.onnx'),
    );
    expect(r.status, r.stderr).toBe(EXIT.refused);
    expect(r.stderr).toContain('[MODEL_CARD_UNREADABLE]');
    for (const left of [project, `${project}-wal`, `${project}-shm`, path.join(dir, 'refused-run.data')])
      expect(fs.existsSync(left), left).toBe(false);
  });

  it('a refused run into an existing project keeps that project', () => {
    const project = path.join(dir, 'kept.gpkg');
    ProjectStore.create(project).close();
    const r = changemap(
      'run',
      '--synthetic',
      '100x100',
      '--project',
      project,
      '--model',
      path.join(dir, 'no.onnx'),
    );
    expect(r.status).toBe(EXIT.refused);
    expect(() => ProjectStore.open(project, { readOnly: true }).close()).not.toThrow();
  });

  it('resume on a path that is not there creates nothing', () => {
    const project = path.join(dir, 'typo.gpkg');
    const r = changemap('resume', '--project', project);
    expect(r.status).toBe(EXIT.refused);
    expect(r.stderr).toContain('[NOT_FOUND]');
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('typo'))).toEqual([]);
  });
});

/** As root, the test runs the command as `nobody`: that needs a checkout `nobody` can read (a clone under a private
 * mktemp folder is not). Elsewhere root would write anywhere and the read-only case cannot happen. */
function unprivilegedCanRunCli(): boolean {
  if (process.getuid?.() !== 0) return true;
  const check = `require('fs').accessSync(${JSON.stringify(CLI_BIN)}, require('fs').constants.R_OK)`;
  const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', check];
  return spawnSync('setpriv', asNobody).status === 0;
}

describe('a project in a read-only folder', () => {
  it('is called read-only, not damaged', (ctx) => {
    if (!unprivilegedCanRunCli())
      ctx.skip('this checkout is not readable by an unprivileged user, so root cannot test it');
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-cli-readonly-'));
    const project = path.join(folder, 'p.gpkg');
    ProjectStore.create(project).close();
    ProjectStore.open(project).close(); // opened once: in WAL mode, as the app leaves it
    for (const part of ['-wal', '-shm']) fs.rmSync(project + part, { force: true });
    fs.chmodSync(project, 0o444);
    fs.chmodSync(folder, 0o555);
    const user = path.join(folder + '-user');
    fs.mkdirSync(user, { mode: 0o777 });
    fs.chmodSync(user, 0o777);
    // root reads and writes anything: run the command as an unprivileged user there, as a planner would be.
    const asUser =
      process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const [command, ...args] = [...asUser, process.execPath, CLI_BIN, 'runs', '--project', project];
    const r = spawnSync(command, args, {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HOME: user, CHANGEMAP_USER_DATA: path.join(user, 'u') },
    });
    fs.chmodSync(folder, 0o755);
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(user, { recursive: true, force: true });
    expect(r.status, r.stderr).toBe(EXIT.refused);
    expect(r.stderr).toContain('[PROJECT_READ_ONLY]');
    expect(r.stderr).not.toMatch(/damaged/);
  });
});

describe('a project with a damaged JSON value', () => {
  it('runs and export say PROJECT_CORRUPT in one line, exit 3', () => {
    const project = path.join(dir, 'badjson.gpkg');
    ProjectStore.create(project).close();
    const db = new Database(project);
    db.prepare("UPDATE cm_settings SET value = '{not json' WHERE key = 'name'").run();
    db.prepare(
      `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params, warnings)
       VALUES ('done', 'm', '1', 'x', 'cpu', '{broken', '[')`,
    ).run();
    db.close();
    for (const args of [
      ['runs', '--project', project],
      ['export', '--project', project, '--format', 'csv', '--out', path.join(dir, 'badjson.csv')],
    ]) {
      const r = changemap(...args);
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(EXIT.refused);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('[PROJECT_CORRUPT]');
    }
    expect(fs.existsSync(path.join(dir, 'badjson.csv'))).toBe(false);
  });
});

describe('sizes and stored paths', () => {
  it('--synthetic 200000x200000 is refused by the one scene-size limit, exit 2, nothing made', () => {
    const project = path.join(dir, 'huge-synthetic.gpkg');
    const r = changemap('run', '--synthetic', '200000x200000', '--project', project);
    expect(r.status, r.stderr).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/200000x200000.*<=20000/);
    expect(fs.existsSync(project)).toBe(false);
  });

  it('export refuses a run whose stored raster path climbs out of the data folder, copying nothing', () => {
    const project = path.join(dir, 'traversal.gpkg');
    ProjectStore.create(project).close();
    fs.writeFileSync(path.join(dir, 'foreign.tif'), "a file that is not the project's");
    const db = new Database(project);
    db.prepare(
      `INSERT INTO cm_runs (status, model_name, model_version, model_sha256, provider_requested, params, warnings,
         probability_path) VALUES ('done', 'm', '1', 'x', 'cpu', '{}', '[]', '../foreign.tif')`,
    ).run();
    db.close();
    const out = path.join(dir, 'traversal-out.tif');
    const r = changemap('export', '--project', project, '--format', 'geotiff', '--out', out);
    expect(r.status, r.stderr).toBe(EXIT.refused);
    expect(r.stderr).toMatch(/outside its data folder \("\.\.\/foreign\.tif"\).*\[PROJECT_CORRUPT\]/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
