// Child process of the crash trials: `node --import tsx stepChild.ts <project> <user-data> <step> [export kind]`.
// Opens the project as the app does, prints "started" just before the step begins (the parent's kill delay counts
// from there), "saved N" after each review it commits, and "done" at the end. The parent kills it with SIGKILL.
import path from 'node:path';
import {
  exportFile,
  exportStep,
  openApp,
  regionsStep,
  resumeStep,
  reviewStep,
  runStep,
  type ExportKind,
  type Step,
} from './crashSteps';

const [project, userData, step, kind] = process.argv.slice(2) as [string, string, Step, ExportKind];
const app = await openApp(userData, project);
process.stdout.write('started\n');
if (step === 'run') await runStep(app);
else if (step === 'resume') await resumeStep(app);
else if (step === 'regions') await regionsStep(app);
else if (step === 'review') await reviewStep(app, 1, (n) => process.stdout.write(`saved ${n}\n`));
else await exportStep(app, kind, exportFile(path.dirname(project), kind));
app.close();
process.stdout.write('done\n');
