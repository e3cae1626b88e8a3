import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeMapApp } from './support/changeMapApp';
import { TINY_CHANGE_MODEL, writeScenePair } from './support/fixtures';
import { Workbench } from './support/workbench';

// A 2048 px scene cut into 256 px chunks: an 8 x 8 chunk grid, enough that a cancel lands mid-run.
const SCENE_PX = 2048;
const CHUNK_PX = 256;
const WHOLE_CHUNKS = (SCENE_PX / CHUNK_PX) ** 2;

describe('run panel', () => {
  let app: ChangeMapApp;
  let bench: Workbench;

  beforeAll(async () => {
    app = await ChangeMapApp.launch();
    bench = new Workbench(app);
    await app.waitForSignal('start:ready');
    const scene = await writeScenePair(path.join(app.workDir, 'scene'), { size: SCENE_PX });
    await bench.newProject('Run check');
    await bench.addImagery('before', [scene.before]);
    await bench.addImagery('after', [scene.after]);
    await bench.byTestId('zoom-to-imagery').click();
  });
  afterAll(async () => app?.dispose());

  it('shows the automatic model choice and its reason before the run starts', async () => {
    expect(await bench.byTestId('model-select').inputValue()).toBe('auto');
    const choice = bench.byTestId('model-choice');
    await choice.waitFor();
    // The scene has 3 m pixels: the general change model's range, not a very-high-resolution specialist's.
    expect((await choice.textContent())?.replace(/\s+/g, ' ').trim()).toMatch(
      /^Automatic: (\S+) [\d.]+ — Imagery at 3 m suits \1, made for [\d.]+–[\d.]+ m pixels/,
    );
    expect(await bench.byTestId('model-choice-warnings').count()).toBe(0);
    expect(await bench.byTestId('model-licence').textContent()).toMatch(/non-commercial/i);
    await app.screenshot('run-automatic-model');
  });

  it('adds a model from its .onnx file and shows its card', async () => {
    await bench.addModel(TINY_CHANGE_MODEL);
    const chosen = await bench
      .byTestId('model-select')
      .evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
    expect(chosen).toMatch(/tiny-change 1\.0\.0 \(added\)/);
    expect(await bench.byTestId('model-card').textContent()).toMatch(/TEST ONLY/);
  });

  it('offers automatic hardware first and disables providers that are not available', async () => {
    const options = await bench
      .byTestId('provider-select')
      .locator('option')
      .evaluateAll((els) =>
        els.map((e) => ({
          value: (e as HTMLOptionElement).value,
          disabled: (e as HTMLOptionElement).disabled,
        })),
      );
    expect(options[0]).toEqual({ value: 'auto', disabled: false });
    expect(options.find((o) => o.value === 'cpu')).toEqual({ value: 'cpu', disabled: false });
    for (const o of options.slice(1)) expect(typeof o.disabled).toBe('boolean');
  });

  it('runs over the whole overlap chunk by chunk, then shows the change probability', async () => {
    await bench.byTestId('chunk-size').selectOption({ label: `${CHUNK_PX} px` });
    await bench.startRun();
    const progress = bench.byTestId('run-progress');
    expect(Number(await progress.getAttribute('data-chunks-total'))).toBe(WHOLE_CHUNKS);
    expect(await bench.byTestId('chunk-legend').isVisible()).toBe(true);
    await app.waitForSignal('run:chunk-done');
    await bench.waitForRunDone(1);
    expect(await bench.byTestId('run-status').textContent()).toBe('done');
    expect(await bench.byTestId('run-chunks').textContent()).toMatch(
      new RegExp(`${WHOLE_CHUNKS} / ${WHOLE_CHUNKS} chunks`),
    );
    expect(await app.signalCount('run:chunk-done')).toBe(WHOLE_CHUNKS);
    expect(await bench.byTestId('run-rates').textContent()).toMatch(/[\d.]+ Mpx\/s/);
    expect(await bench.byTestId('run-provider-used').textContent()).toMatch(/cpu|CPU/);
    await app.waitForSignal('tile:probability', 1, 60_000);
    await app.waitForMapSettled();
    await app.screenshot('run-done');
  });

  it('runs over a rectangle drawn on the map', async () => {
    await bench.chooseModel('tiny-change');
    await bench.byTestId('area-bbox').click();
    await bench.byTestId('draw-hint').waitFor();
    const [x0, y0] = await bench.mapPoint(0.42, 0.42);
    const [x1, y1] = await bench.mapPoint(0.55, 0.55);
    await bench.expectSignal('area:drawn', async () => {
      await app.page.mouse.click(x0, y0);
      await app.page.mouse.move(x1, y1, { steps: 4 });
      await app.page.mouse.click(x1, y1);
    });
    expect(await bench.byTestId('area-label').textContent()).toMatch(/rectangle/);
    await app.screenshot('run-area-rectangle');
    await bench.startRun();
    const total = Number(await bench.byTestId('run-progress').getAttribute('data-chunks-total'));
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(WHOLE_CHUNKS);
    await bench.waitForRunDone(2);
  });

  it('draws a polygon area and can go back to the whole overlap', async () => {
    await bench.byTestId('area-polygon').click();
    const corners = [
      [0.4, 0.4],
      [0.6, 0.42],
      [0.5, 0.6],
    ];
    await bench.expectSignal('area:drawn', async () => {
      for (const [i, [fx, fy]] of corners.entries()) {
        const [x, y] = await bench.mapPoint(fx, fy);
        if (i === corners.length - 1) await app.page.mouse.dblclick(x, y);
        else await app.page.mouse.click(x, y);
      }
    });
    expect(await bench.byTestId('area-label').textContent()).toMatch(/polygon \(\d+ corners\)/);
    await app.screenshot('run-area-polygon');
    await bench.byTestId('area-whole').click();
    expect(await bench.byTestId('area-label').textContent()).toMatch(/whole overlap/);
  });
  // Last: a cancel that kills the test process (a native crash on the server side) must not hide the others.
  it('cancels a run and resumes it where it stopped', async () => {
    // The slowest shipped model (TinyCD: fixed 256-px chips, an EfficientNet stem; outside its pixel-size range
    // here, which is only a warning), so the run is still going when Cancel is clicked: the general model, with
    // grid-sized chips and every core, now finishes this small scene within moments of its first chunk.
    await bench.chooseModel(/tinycd-buildings-levir/);
    await bench.byTestId('chunk-size').selectOption({ label: `${CHUNK_PX} px` });
    const doneBefore = await app.signalCount('run:chunk-done');
    await bench.startRun();
    await app.waitForSignal('run:chunk-done', doneBefore + 1, 120_000);
    await bench.expectSignal('run:cancelled', () => bench.byTestId('run-cancel').click());
    expect(await bench.byTestId('run-status').textContent()).toBe('cancelled');
    const chunksText = (await bench.byTestId('run-chunks').textContent()) ?? '';
    const doneAtCancel = Number(/^(\d+)/.exec(chunksText.trim())?.[1]);
    expect(doneAtCancel).toBeGreaterThan(0);
    expect(doneAtCancel).toBeLessThan(WHOLE_CHUNKS);
    await app.screenshot('run-cancelled');

    const chunkDoneAtCancel = await app.signalCount('run:chunk-done');
    const runsDone = await app.signalCount('run:done');
    await bench.byTestId('run-resume').click();
    await bench.waitForRunDone(runsDone + 1, 400_000);
    expect(await bench.byTestId('run-status').textContent()).toBe('done');
    // Only the chunks left over were computed again.
    expect((await app.signalCount('run:chunk-done')) - chunkDoneAtCancel).toBe(WHOLE_CHUNKS - doneAtCancel);
  });
});
