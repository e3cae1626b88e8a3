// Run and region fixtures for the renderer's store tests.
import type { RegionPage, RegionSettings, RunDetail } from '../../../src-main/ipc/contract';

export const SETTINGS: RegionSettings = {
  threshold: 0.15,
  openingRadius: 1,
  closingRadius: 0,
  minAreaM2: 300,
};

export function runDetail(id: number, patch: Partial<RunDetail> = {}): RunDetail {
  return {
    id,
    status: 'done',
    createdAt: '2026-12-01T10:00:00Z',
    modelName: 'changemap-change',
    modelVersion: '1',
    modelRequested: null,
    modelReason: null,
    providerRequested: 'cpu',
    providerUsed: 'cpu',
    chunksDone: 1,
    chunksTotal: 1,
    warnings: [],
    error: null,
    chunks: [{ idx: 0, state: 'done', ring: [], worker: null }],
    extent: null,
    regionSettings: SETTINGS,
    ...patch,
  };
}

/** A page of `total` made-up regions (the first `limit` of them). */
export function regionPage(total: number, limit = 200): RegionPage {
  return {
    total,
    items: Array.from({ length: Math.min(total, limit) }, (_, i) => ({
      fid: i + 1,
      areaM2: 1000 - i,
      probMean: 0.8,
      probMax: 0.9,
      fromClass: 'forest',
      fromConf: 0.9,
      toClass: 'built',
      toConf: 0.8,
      reviewState: 'unreviewed' as const,
      note: '',
      centroidLon: 15,
      centroidLat: 48,
    })),
  };
}
