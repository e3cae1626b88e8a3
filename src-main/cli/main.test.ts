// The `changemap` bin end to end, in a child process as a user runs it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, tinySyntheticRunArgs } from './testing/cliChild';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const changemap = (...args: string[]) => runCli(args, { userData: path.join(dir, 'user') });

describe('changemap command line', () => {
  it('explains its usage with exit code 2', () => {
    const r = changemap('run', '--project');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--project <file.gpkg>.*missing/);
    expect(r.stderr).toMatch(/--help/);
  });

  it('refuses a missing model before starting, exit code 3, as JSON', () => {
    const r = changemap(
      'run',
      '--synthetic',
      '300x300',
      '--project',
      path.join(dir, 'refused.gpkg'),
      '--model',
      path.join(dir, 'nope.onnx'),
      '--json',
    );
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      type: 'run:refused',
      code: 'MODEL_CARD_UNREADABLE',
    });
  });

  it('runs to the end, finds the regions and names the probability raster last', () => {
    const project = path.join(dir, 'ok.gpkg');
    const r = changemap(...tinySyntheticRunArgs('400x300', project, '--json'));
    expect(r.status, r.stderr).toBe(0);
    const events = jsonLines<{ type: string; regionCount: number; probabilityPath: string }>(r.stdout);
    expect(events[0].type).toBe('run:started');
    expect(events.map((e) => e.type)).toContain('run:done');
    const regions = events.find((e) => e.type === 'regions:done')!;
    expect(regions.regionCount).toBeGreaterThan(0);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'run:summary', regionCount: regions.regionCount });
    expect(existsSync(last.probabilityPath)).toBe(true);
    expect(path.dirname(last.probabilityPath)).toBe(path.join(dir, 'ok.data', 'runs', '1'));
    const list = changemap('runs', '--project', project, '--json');
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ id: 1, status: 'done' });
  });
});
