import { beforeEach, describe, expect, it } from 'vitest';
import { MapLayersState } from './mapLayers.svelte';

describe('map layers: order, opacity and comparing the dates', () => {
  let layers: MapLayersState;
  beforeEach(() => {
    layers = new MapLayersState();
  });

  it('draws the top row of the list on top, and moving a row swaps it with its neighbour', () => {
    expect(layers.zIndexOf('regions')).toBeGreaterThan(layers.zIndexOf('probability'));
    expect(layers.zIndexOf('after')).toBeGreaterThan(layers.zIndexOf('before'));
    layers.move('before', 'up');
    expect(layers.zIndexOf('before')).toBeGreaterThan(layers.zIndexOf('after'));
    expect(layers.order.slice(-2)).toEqual(['before', 'after']);
    // The ends of the list stay where they are.
    layers.move('regions', 'up');
    expect(layers.order[0]).toBe('regions');
    layers.move('after', 'down');
    expect(layers.order.at(-1)).toBe('after');
  });

  it('keeps opacity and the swipe divider within 0..1', () => {
    layers.setOpacity('after', 1.7);
    expect(layers.opacity.after).toBe(1);
    layers.setOpacity('after', -0.2);
    expect(layers.opacity.after).toBe(0);
    layers.setSwipe(0.3);
    expect(layers.swipe).toBe(0.3);
    layers.setSwipe(2);
    expect(layers.swipe).toBe(1);
  });

  it('shows both dates in swipe, only "after" on the main map side by side, and one date at a time in flicker', () => {
    expect(layers.dateShown('before')).toBe(false); // "before" starts off, as the checkbox says
    layers.setCompare('swipe');
    expect([layers.dateShown('before'), layers.dateShown('after')]).toEqual([true, true]);
    layers.setCompare('side-by-side');
    expect([layers.dateShown('before'), layers.dateShown('after')]).toEqual([false, true]);
    layers.setCompare('flicker');
    expect([layers.dateShown('before'), layers.dateShown('after')]).toEqual([false, true]);
    layers.flicker();
    expect([layers.dateShown('before'), layers.dateShown('after')]).toEqual([true, false]);
    layers.flicker();
    expect(layers.flickerShows).toBe('after');
  });

  it('ignores the flicker key outside flicker mode, and reset leaves comparing', () => {
    layers.flicker();
    expect(layers.flickerShows).toBe('after');
    layers.setCompare('swipe');
    layers.setSwipe(0.8);
    layers.reset();
    expect(layers.compare).toBe('off');
    expect(layers.swipe).toBe(0.5);
  });
});
