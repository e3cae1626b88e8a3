// Child process for the crash-safety test: opens a project and commits transactions forever, each a batch of
// review changes and a settings row, printing the number of the last committed one. The parent kills it.
import { ProjectStore } from '../projectStore';

const store = ProjectStore.open(process.argv[2]);
const upsert = store.db.prepare(
  'INSERT INTO cm_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
);
const batch = store.db.transaction((i: number) => {
  // a big enough transaction that a kill lands inside one most of the time
  for (let k = 0; k < 200; k++) upsert.run(`scratch_${k}`, JSON.stringify({ i, padding: 'x'.repeat(500) }));
  upsert.run('last_commit', JSON.stringify(i));
});
for (let i = 1; ; i++) {
  batch(i);
  process.stdout.write(`${i}\n`);
}
