import { describe, expect, it } from 'vitest';
import { CROP_TONES, lateSummerTone } from './landscape';

const isGreen = (t: readonly number[]): boolean => t[1] > t[0] + 12;

describe('lateSummerTone', () => {
  const picks = Array.from({ length: 20 }, (_, k) => k / 20);

  it('turns a green early-summer field into stubble or tilled soil, never green again', () => {
    for (const green of CROP_TONES.filter(isGreen))
      for (const pick of picks) expect(isGreen(lateSummerTone(green, pick))).toBe(false);
  });

  it('turns a bare field of a late-sown row crop green, and keeps a jittered tone in its state', () => {
    const soil: [number, number, number] = [130 * 1.07, 104 * 1.07, 80 * 1.07];
    for (const pick of picks) expect(isGreen(lateSummerTone(soil, pick))).toBe(true);
    const straw: [number, number, number] = [176 * 0.92, 160 * 0.92, 116 * 0.92];
    for (const pick of picks) expect(isGreen(lateSummerTone(straw, pick))).toBe(false);
  });
});
