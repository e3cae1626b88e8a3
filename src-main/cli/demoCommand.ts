// `changemap demo` (npm run demo): makes the sample project from the sample-scene generator, runs the whole
// pipeline on it through the same API the app uses, and prints what it found against the planted truth.
import path from 'node:path';
import { isChangeMapError } from '../core/errors';
import type { Events, Request } from '../ipc/contract';
import { compareWithTruth } from '../services/demo/compareWithTruth';
import { writeSampleScene } from '../services/sampleScene/writeSampleScene';
import type { AppSession } from '../services/session';
import { cliSession, mapViewOn } from './cliSession';
import { EXIT } from './exitCodes';
import { describeRegions } from './regionsCommand';
import { describeTransition } from '../core/regions/transitionText';
import { InferenceWorker } from '../services/inference/inferenceWorker';

export interface DemoOptions {
  out: string;
  model: string;
  provider: Request<'run:start'>['provider'];
  /** Edge of the generated scene in pixels (default: the sample scene's 2000). Smaller scenes are for tests. */
  sceneSizePx?: number;
}

const ha = (m2: number): string => `${(m2 / 10_000).toFixed(2)} ha`;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * Makes a fresh sample project, replacing the previous demo's file unless it is open (in the app or a command) or
 * holds reviews: a rerun must never throw away a planner's confirms, rejects and notes. Returns true, or the
 * sentence to print when it refuses.
 */
function claimSampleProject(session: AppSession, projectFile: string): true | string {
  try {
    session.createProject(projectFile, 'ChangeMap sample', { replaceUnreviewed: true });
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const elsewhere = `run the demo into another folder: npm run demo -- --out OTHER_FOLDER (changemap demo --out OTHER_FOLDER)`;
    if (code === 'PROJECT_IN_USE') {
      return `${projectFile} is open in ChangeMap or another command, so the demo leaves it alone [PROJECT_IN_USE]. Close it there first, or ${elsewhere}.`;
    }
    if (code === 'PROJECT_HAS_REVIEWS') {
      return `${(error as Error).message} [PROJECT_HAS_REVIEWS] To keep your reviews and see a fresh sample, ${elsewhere}; to start over, move the file away first.`;
    }
    if (isChangeMapError(error)) return `${error.message} [${error.code}]`;
    throw error;
  }
}

export async function demoCommand(options: DemoOptions): Promise<number> {
  const out = path.resolve(options.out);
  const { model, provider } = options;
  const say = (line = ''): void => void process.stdout.write(`${line}\n`);

  const cli = cliSession();
  const { session, call } = cli;

  try {
    const started = performance.now();
    const size = options.sceneSizePx ?? 2000;
    const km = ((size * 3) / 1000).toFixed(1).replace(/\.0$/, '');
    say(
      `ChangeMap demo: a generated ${km} km x ${km} km scene at 3 m (UTM 33N) with planted land-cover changes.`,
    );
    // The project is claimed (locked) before anything is written, so a sample project open in the app keeps its
    // imagery and file; one that holds reviews is never replaced (see claimSampleProject).
    const projectFile = path.join(out, 'ChangeMap sample.gpkg');
    const claimed = claimSampleProject(session, projectFile);
    if (claimed !== true) {
      process.stderr.write(`changemap demo: ${claimed}\n`);
      return EXIT.refused;
    }
    const sceneDir = path.join(out, 'imagery');
    say(`1/4 Generating the sample imagery in ${sceneDir} ...`);
    const files = await writeSampleScene(sceneDir, { width: size, height: size });
    await call('imagery:setFiles', { role: 'before', uris: [files.before] });
    const imagery = await call('imagery:setFiles', { role: 'after', uris: [files.after] });
    const b = imagery.before!;
    say(
      `    ${b.widthPx} x ${b.heightPx} px, ${b.pixelSizeM?.[0].toFixed(1)} m, ${b.crs.code} (${b.crs.name}), ${b.areaKm2?.toFixed(1)} km² per date`,
    );
    for (const issue of imagery.preflight) say(`    ${issue.severity}: ${issue.message}`);
    // Open the project on the scene rather than the whole world.
    const view = mapViewOn(imagery);
    if (view) await call('project:setMapView', view);

    say(`2/4 Detecting change with ${model} ...`);
    let lastLine = '';
    const off = session.events.subscribe((event, payload) => {
      if (event !== 'run:progress') return;
      const p = payload as Events['run:progress'];
      const line = `    ${p.chunksDone}/${p.chunksTotal} chunks, ${p.megapixelsPerSecond.toFixed(2)} Mpx/s on ${p.providerUsed}`;
      if (line !== lastLine && process.stdout.isTTY) process.stdout.write(`\r${line}`);
      lastLine = line;
    });
    const settled = new Promise<Events['run:done'] | Events['run:failed']>((resolve) => {
      session.events.subscribe((event, payload) => {
        if (event === 'run:done' || event === 'run:failed') resolve(payload as Events['run:done']);
      });
    });
    const run = await call('run:start', { model, provider });
    const outcome = await settled;
    off();
    if (process.stdout.isTTY) process.stdout.write('\n');
    if ('code' in outcome) {
      say(`The run failed: ${outcome.message}`);
      return EXIT.failed;
    }
    say(`    ${lastLine.trim()}`);

    say("3/4 Finding and classifying change regions (the model card's settings) ...");
    // Found by the services as the run finished, with the one settings rule, as in the app.
    const computed = await session.services().regions.whenAutomaticDone(run.id);
    if (!computed) {
      say('The regions could not be found (see the warning above).');
      return EXIT.failed;
    }
    say(`    ${describeRegions(computed)}`);
    const page = await call('regions:list', { runId: run.id, limit: 10 });
    say('    Largest regions:');
    for (const r of page.items) {
      say(
        `      #${r.fid}  ${ha(r.areaM2).padStart(9)}  ${describeTransition(r.fromClass, r.toClass)}  (p=${r.probMean.toFixed(2)}, ${r.centroidLat.toFixed(5)}, ${r.centroidLon.toFixed(5)})`,
      );
    }

    say('4/4 Comparing with the planted truth ...');
    const project = session.requireProject();
    const comparison = await compareWithTruth(project.db, run.id, files.truthJson, files.truth);
    const arrow = (t: { from: string | null; to: string | null }): string => describeTransition(t.from, t.to);
    for (const p of comparison.planted) {
      const kind = comparison.plantedKinds.get(p.id)!;
      const verdict = comparison.transitions.find((v) => v.id === p.id)!;
      const foundBy =
        p.detected && p.foundBy !== null
          ? `found by region #${p.foundBy} (${ha(comparison.regionAreaM2.get(p.foundBy) ?? 0)}), ${pct(p.covered / p.pixels)} covered; ${arrow(verdict.found ?? { from: null, to: null })} ${verdict.right ? 'right' : 'WRONG'}`
          : 'MISSED';
      say(`      planted #${p.id} ${kind.kind} (${arrow(kind)}, ${ha(kind.areaM2)}): ${foundBy}`);
    }
    say(
      `    Found ${comparison.detected} of ${comparison.planted.length} planted changes (missed ${comparison.missed}), ${comparison.rightTransitions} of them with the right transition; ${comparison.falseAlarms} of ${comparison.regions.length} regions are false alarms.`,
    );
    const s = comparison.pixels;
    say(
      `    Pixels: precision ${pct(s.precision)}, recall ${pct(s.recall)}, F1 ${pct(s.f1)}, IoU ${pct(s.iou)}.`,
    );
    say();
    say(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s. The project: ${projectFile}`);
    say(`Open it in the app with:  npm start -- "${projectFile}"   (or in QGIS: its change_regions layer)`);
    return EXIT.done;
  } finally {
    cli.dispose();
    await InferenceWorker.releaseSpare();
  }
}
