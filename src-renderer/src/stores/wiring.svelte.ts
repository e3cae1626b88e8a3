// How the stores follow each other, in one place instead of inside components:
// - a project switch (open, create, close, or the services opening another one) resets every per-project store,
//   clears the messages of the old project and loads the new one's imagery and runs;
// - the Results panel shows the regions of the run on screen once it is done;
// - the region being checked closes when its run changes;
// - the boundary attribute table follows the run on screen;
// - the accuracy sample follows the run on screen;
// - which model a run would use (and why) is asked again when the model select or the imagery changes;
// - the regions on screen are found again when the pixel size of a pair without georeference changes (their areas
//   are in m² of that size, or in pixels without one).
import { untrack } from 'svelte';
import type { ProjectSummary } from '../../../src-main/ipc/contract';
import { boundaries } from './boundaries.svelte';
import { accuracy } from './accuracy.svelte';
import { basemaps } from './basemaps.svelte';
import { exportsState } from './exports.svelte';
import { imagery } from './imagery.svelte';
import { mapLayers } from './mapLayers.svelte';
import { notices } from './notices.svelte';
import { project } from './project.svelte';
import { regions } from './regions.svelte';
import { run } from './run.svelte';
import { selection } from './selection.svelte';
import { series } from './series.svelte';

/** Resets the per-project stores and loads what the newly open project has (nothing when none is open). */
export function switchProject(current: ProjectSummary | null): void {
  notices.clear();
  exportsState.hide();
  selection.close();
  accuracy.reset();
  imagery.reset();
  mapLayers.reset();
  basemaps.reset();
  run.reset();
  series.reset();
  void regions.useRun(null);
  boundaries.reset();
  if (current) {
    void imagery.load();
    void run.load();
    void series.load();
    void boundaries.load();
    void basemaps.load();
  }
}

/** Asks which model a run would use now, while a project is open (models:choose needs one). */
export function followModelChoice(): void {
  if (!project.current) return;
  void imagery.state;
  void run.modelId;
  void run.models;
  untrack(() => void run.refreshChoice());
}

/** Which run's regions the Results panel shows: the run on screen, once it is done. */
export function followRun(): void {
  const detail = run.current;
  const done = run.status === 'done';
  untrack(() => void regions.useRun(done && detail ? detail.id : null));
}

/** The pixel size the regions on screen were last seen with (undefined: no pixel-space imagery yet). */
let seenPixelSize: number | null | undefined;

/** A new pixel size of a pair without georeference changes every region's area: find the regions again. */
export function followPixelSize(): void {
  const space = imagery.state.mapSpace;
  const size = space.kind === 'pixel' ? space.pixelSizeM : undefined;
  untrack(() => {
    const changed = seenPixelSize !== undefined && size !== undefined && size !== seenPixelSize;
    seenPixelSize = size;
    if (changed && regions.runId !== null) void regions.compute();
  });
}

let wired: (() => void) | null = null;

/** Subscribes every store to the services' events and wires them together; idempotent. Returns the unwiring. */
export function wireStores(): () => void {
  if (wired) return wired;
  project.listen();
  notices.listen();
  imagery.listen();
  run.listen();
  regions.listen();
  series.listen();
  boundaries.listen();
  const stopSwitch = project.onSwitch(switchProject);
  const stopEffects = $effect.root(() => {
    $effect(followRun);
    $effect(followModelChoice);
    $effect(followPixelSize);
    // The attribute table shows the figures of the run on screen.
    $effect(() => {
      void regions.runId;
      untrack(() => boundaries.tableOpen && void boundaries.loadPage());
    });
    // The accuracy sample shown is the one of the run whose regions are on screen.
    $effect(() => {
      const runId = regions.runId;
      untrack(() => void accuracy.useRun(runId));
    });
    $effect(() => {
      void regions.runId;
      void regions.outlineRevision;
      untrack(() => selection.close());
    });
  });
  wired = () => {
    stopSwitch();
    stopEffects();
    wired = null;
  };
  return wired;
}
