import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecentProjects } from './recentProjects';

describe('RecentProjects', () => {
  it('keeps the most recent first, marks missing files and removes entries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-recent-'));
    const a = path.join(dir, 'a.gpkg');
    const b = path.join(dir, 'b.gpkg');
    fs.writeFileSync(a, '');
    const recent = new RecentProjects(path.join(dir, 'user'));
    recent.touch(a, 'A', new Date('2026-01-01'));
    recent.touch(b, 'B', new Date('2026-01-02'));
    recent.touch(a, 'A', new Date('2026-01-03'));
    expect(recent.list().map((e) => [e.name, e.exists])).toEqual([
      ['A', true],
      ['B', false],
    ]);
    expect(recent.remove(b).map((e) => e.name)).toEqual(['A']);
    expect(new RecentProjects(path.join(dir, 'user')).list()).toHaveLength(1);
  });

  it('starts empty when its file is damaged', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-recent-'));
    fs.writeFileSync(path.join(dir, 'recent-projects.json'), '{oops');
    expect(new RecentProjects(dir).list()).toEqual([]);
  });
});
