// The swipe: a layer drawn only on one side of a vertical divider, clipped on its canvas between the layer's
// `prerender` and `postrender` events (the OpenLayers layer-swipe idiom), so both dates stay ordinary tile layers.
import type Layer from 'ol/layer/Layer';
import { getRenderPixel } from 'ol/render';
import type RenderEvent from 'ol/render/Event';
import { unByKey } from 'ol/Observable';

export type SwipeSide = 'left' | 'right';

/**
 * Clips `layer` to the `side` of the divider at `fraction()` of the map's width while `active()` says so. Returns a
 * function that removes the clipping.
 */
export function swipeClip(
  layer: Layer,
  side: SwipeSide,
  fraction: () => number,
  active: () => boolean,
): () => void {
  let clipped = false;
  const pre = layer.on('prerender', (event: RenderEvent) => {
    clipped = false;
    const ctx = event.context as CanvasRenderingContext2D | undefined;
    const size = event.frameState?.size;
    if (!active() || !ctx || !size) return;
    const x = size[0] * fraction();
    const [from, to] = side === 'left' ? [0, x] : [x, size[0]];
    // Map pixels to the canvas's own pixels (device pixel ratio, rotation).
    const corners = [
      getRenderPixel(event, [from, 0]),
      getRenderPixel(event, [to, 0]),
      getRenderPixel(event, [to, size[1]]),
      getRenderPixel(event, [from, size[1]]),
    ];
    ctx.save();
    ctx.beginPath();
    ctx.moveTo(corners[0][0], corners[0][1]);
    for (const [cx, cy] of corners.slice(1)) ctx.lineTo(cx, cy);
    ctx.closePath();
    ctx.clip();
    clipped = true;
  });
  const post = layer.on('postrender', (event: RenderEvent) => {
    if (clipped) (event.context as CanvasRenderingContext2D).restore();
    clipped = false;
  });
  return () => unByKey([pre, post]);
}
