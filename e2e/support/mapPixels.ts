// Pixels of the map as the page shows them, for tests that compare what two map states draw (swipe against
// flicker, opacity against both dates): a screenshot of a box, decoded to RGBA with fast-png.
import { decode } from 'fast-png';
import type { Page } from 'playwright-core';

export interface Crop {
  width: number;
  height: number;
  /** RGBA bytes. */
  data: Uint8Array;
}

export async function cropOf(
  page: Page,
  box: { x: number; y: number; width: number; height: number },
): Promise<Crop> {
  const png = decode(await page.screenshot({ clip: box }));
  const channels = png.channels;
  const data = new Uint8Array(png.width * png.height * 4);
  for (let i = 0; i < png.width * png.height; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Number(png.data[i * channels + c]);
    data[i * 4 + 3] = 255;
  }
  return { width: png.width, height: png.height, data };
}

/** Mean absolute difference per colour channel (0..255) of two crops of one size. */
export function meanDifference(a: Crop, b: Crop): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('The crops differ in size.');
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4)
    for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c] - b.data[i + c]);
  return sum / ((a.data.length / 4) * 3);
}

/** The crop a layer of `opacity` over `below` would give: top * opacity + below * (1 - opacity). */
export function blend(top: Crop, below: Crop, opacity: number): Crop {
  const data = new Uint8Array(top.data.length);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.round(top.data[i] * opacity + below.data[i] * (1 - opacity));
  return { width: top.width, height: top.height, data };
}
