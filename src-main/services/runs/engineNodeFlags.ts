// Node flags for a process that runs the run engine (the app's services process, the `changemap` bin's #! line,
// `npm run demo`, a scale-out worker unit, the benches), defined once here. They must be on the process's command
// line: V8 sizes its heap when the process starts (v8.setFlagsFromString later changes nothing, measured), and Node
// refuses this one in NODE_OPTIONS.
//
// Why a larger initial old space: a run's main thread keeps only 20-30 MiB of JavaScript objects alive, so V8's
// first old-generation limits are tiny and it ran a mark-compact (its marking on helper threads) every few batches:
// 70-80 collections in a 5000² run. With 64 or 128 MiB from the start, 40-49, half the collection time, and on 2
// cores the model gets the CPU back: 2.38-2.54 against 2.24-2.45 scene-Mpx/s (128 MiB, best of two, three alternating
// pairs, 2026-12-04) and a seed-sized scene in 12.3 min instead of 13.2. The smaller of the two: it did as well on the
// seed-sized scene, and the heap may hold up to that much garbage (peak memory rose 30-40 MiB at 5000², up to
// 110 MiB on the seed-sized scene, with either).
export const ENGINE_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];

/** Whether this process was started with the engine's flags. */
export function hasEngineNodeFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return ENGINE_NODE_FLAGS.every((flag) => execArgv.includes(flag));
}
