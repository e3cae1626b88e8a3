// Imagery fixtures for the renderer's store tests.
import type { DateRole, ImageryDateSummary, ImageryState } from '../../../src-main/ipc/contract';

export function imageryDate(role: DateRole, uris: string[]): ImageryDateSummary {
  return {
    role,
    uris,
    crs: { code: 'EPSG:32633', name: 'WGS 84 / UTM zone 33N' },
    pixelSizeM: [3, 3],
    widthPx: 100,
    heightPx: 100,
    areaKm2: 0.09,
    bands: [
      { index: 0, role: 'red' },
      { index: 1, role: 'green' },
      { index: 2, role: 'blue' },
    ],
    sampleType: 'uint8',
    nodata: null,
    acquiredAt: null,
    acquiredAtSource: null,
    hasOverviews: false,
    footprint: null,
  };
}

export function imageryState(patch: Partial<ImageryState> = {}): ImageryState {
  return { before: null, after: null, dates: [], preflight: [], mapSpace: { kind: 'wgs84' }, ...patch };
}

/** A series of dates (ids 1..n), the first tagged before and the last after, each with an acquisition date. */
export function seriesState(acquired: string[]): ImageryState {
  const dates = acquired.map((acquiredAt, i) => ({
    ...imageryDate('before', [`/data/d${i + 1}.tif`]),
    id: i + 1,
    role: i === 0 ? ('before' as const) : i === acquired.length - 1 ? ('after' as const) : null,
    acquiredAt,
  }));
  return imageryState({
    before: { ...dates[0], role: 'before' },
    after: { ...dates[dates.length - 1], role: 'after' },
    dates,
  });
}
