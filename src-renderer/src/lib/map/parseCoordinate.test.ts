import { describe, expect, it } from 'vitest';
import { parseCoordinate } from './parseCoordinate';

describe('"go to" coordinates', () => {
  it('reads latitude first, with or without hemisphere letters', () => {
    expect(parseCoordinate('48.21, 16.37', true)).toEqual({ kind: 'wgs84', lat: 48.21, lon: 16.37 });
    expect(parseCoordinate('48.21 16.37', false)).toEqual({ kind: 'wgs84', lat: 48.21, lon: 16.37 });
    expect(parseCoordinate('33.9° S, 18.4° E', false)).toEqual({ kind: 'wgs84', lat: -33.9, lon: 18.4 });
    expect(parseCoordinate('40.7 N 74.0 W', false)).toEqual({ kind: 'wgs84', lat: 40.7, lon: -74 });
  });

  it('reads larger numbers as the grid easting and northing, only where the project has a grid', () => {
    expect(parseCoordinate('551000 5353200', true)).toEqual({ kind: 'grid', x: 551000, y: 5353200 });
    expect(parseCoordinate('551000, 5353200', false).kind).toBe('error');
  });

  it('says what to type for anything else', () => {
    const bad = parseCoordinate('Vienna', true);
    expect(bad.kind).toBe('error');
    expect(bad.kind === 'error' && bad.message).toMatch(/latitude and longitude/);
    expect(parseCoordinate('95 N 10 E', false).kind).toBe('error');
  });
});
