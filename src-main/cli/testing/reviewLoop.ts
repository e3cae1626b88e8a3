// Child process for the writers' lock test: stands in for the app holding a project. It opens the project as the
// app does (AppSession, so the same lock) and saves a review every few milliseconds, each in one transaction with
// the number of the last saved one, printing that number after the commit. The parent kills it (SIGKILL).
import os from 'node:os';
import { AppSession } from '../../services/session';

const session = new AppSession({
  userDataDir: process.argv[3] ?? os.tmpdir(),
  version: 'test',
  shell: { transport: 'in-process' },
});
const store = session.openProject(process.argv[2]);
// The regions nobody reviewed yet: the earlier reviews must survive untouched.
const fids = (
  store.db.prepare("SELECT fid FROM change_regions WHERE review_state = 'unreviewed' ORDER BY fid").all() as {
    fid: number;
  }[]
).map((r) => r.fid);
const review = store.db.prepare(
  "UPDATE change_regions SET review_state = 'confirmed', note = ? WHERE fid = ?",
);
const mark = store.db.prepare(
  "INSERT INTO cm_settings (key, value) VALUES ('last_review', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
);
const save = store.db.transaction((i: number) => {
  review.run(`review ${i}`, fids[i % fids.length]);
  mark.run(JSON.stringify(i));
});
process.stdout.write('ready\n');
let i = 0;
setInterval(() => {
  i++;
  save(i);
  process.stdout.write(`${i}\n`);
}, 3);
