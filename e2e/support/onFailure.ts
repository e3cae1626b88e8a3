// After a failed end-to-end test, a screenshot of the page as it was, so a failure in CI can be looked at.
import path from 'node:path';
import { afterEach } from 'vitest';
import { ChangeMapApp } from './changeMapApp';

afterEach(async (context) => {
  const app = ChangeMapApp.current;
  if (context.task.result?.state !== 'fail' || !app) return;
  const name = `FAILED-${path.basename(context.task.file?.name ?? 'e2e')}-${context.task.name}`.replace(
    /[^\w.-]+/g,
    '_',
  );
  await app.screenshot(name.slice(0, 120)).catch(() => undefined);
});
