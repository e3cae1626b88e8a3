// Which code `changemap` runs: the bundle that scripts/build-cli.mjs writes to out/cli (plain JavaScript, starts in
// a fraction of a second) when it is there and no source file is newer than it, else src-main/cli/start.ts through
// tsx (a fresh clone before setup, or sources edited since the last build: never a stale bundle).
import fs from 'node:fs';
import path from 'node:path';

/** The newest modification time (ms) of any file under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/**
 * `{ kind: 'bundle', entry, workersDir }` or `{ kind: 'source', entry, reason }` for the checkout at `root`.
 * CHANGEMAP_FROM_SOURCE=1 always picks the source.
 */
export function chooseCliEntry(root, env = process.env) {
  const source = path.join(root, 'src-main', 'cli', 'start.ts');
  const bundle = path.join(root, 'out', 'cli', 'changemap.js');
  if (env.CHANGEMAP_FROM_SOURCE === '1')
    return { kind: 'source', entry: source, reason: 'CHANGEMAP_FROM_SOURCE=1' };
  let built;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    return { kind: 'source', entry: source, reason: 'no bundle (npm run build:cli)' };
  }
  if (newestMtime(path.join(root, 'src-main')) > built)
    return { kind: 'source', entry: source, reason: 'sources are newer than the bundle (npm run build:cli)' };
  return { kind: 'bundle', entry: bundle, workersDir: path.dirname(bundle) };
}
