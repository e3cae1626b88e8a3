// Exporting a run: regions as GeoJSON / Shapefile / GeoPackage / CSV, or the probability and change-mask
// rasters as GeoTIFF. An existing file is only replaced after the user says so (EXPORT_EXISTS, then overwrite).
import type { ExportFilters, ExportResult, RegionExportFormat } from '../../../src-main/ipc/contract';
import { errorOf, request } from '../lib/api';
import { signal } from '../lib/signals';
import { notices } from './notices.svelte';
import { splitTransition } from './regions.svelte';

/** A region format, or one of the two rasters. */
export type ExportFormat = RegionExportFormat | 'probability' | 'mask';

export const EXPORT_FORMATS: { id: ExportFormat; label: string; extension: string; raster: boolean }[] = [
  { id: 'geojson', label: 'GeoJSON', extension: '.geojson', raster: false },
  { id: 'shapefile', label: 'Shapefile (zipped)', extension: '.zip', raster: false },
  { id: 'gpkg', label: 'GeoPackage', extension: '.gpkg', raster: false },
  { id: 'csv', label: 'CSV table', extension: '.csv', raster: false },
  { id: 'probability', label: 'Change probability (GeoTIFF)', extension: '.tif', raster: true },
  { id: 'mask', label: 'Change mask (GeoTIFF)', extension: '.tif', raster: true },
];

export interface ExportChoice {
  format: ExportFormat;
  crs: 'grid' | 'wgs84';
  includeWkt: boolean;
  /** 'notRejected' is the contract's default (no review states sent); 'all' adds the rejected regions. */
  which: 'notRejected' | 'all' | 'confirmed';
  minAreaM2: number | null;
  transitions: string[];
  out: string;
  /** The change mask's threshold; null leaves it to the run's region settings (the services' one rule). */
  threshold: number | null;
}

/**
 * What the export dialog starts with: regions as GeoJSON in WGS 84, every region but the rejected ones, no other
 * filter, no file chosen yet, and `threshold` for a change mask.
 */
export function defaultExportChoice(threshold: number | null): ExportChoice {
  return {
    format: 'geojson',
    crs: 'wgs84',
    includeWkt: false,
    which: 'notRejected',
    minAreaM2: null,
    transitions: [],
    out: '',
    threshold,
  };
}

export class ExportState {
  open = $state(false);
  busy = $state(false);
  /** Waiting for the user to say whether an existing file may be replaced. */
  confirmOverwrite = $state<string | null>(null);
  result = $state.raw<ExportResult | null>(null);
  error = $state.raw<{ code: string; message: string } | null>(null);

  show(): void {
    this.open = true;
    this.result = null;
    this.error = null;
    this.confirmOverwrite = null;
  }

  hide(): void {
    this.open = false;
    this.confirmOverwrite = null;
  }

  /** `confirmed`: the file the user agreed to replace (the services replace that one only, and only if it is `out`). */
  async run(runId: number, choice: ExportChoice, confirmed: string | null = null): Promise<void> {
    // An export may end after the user switched project: its message then belongs to no project on screen.
    const scope = notices.scope;
    this.busy = true;
    this.error = null;
    this.result = null;
    this.confirmOverwrite = null;
    try {
      const format = EXPORT_FORMATS.find((f) => f.id === choice.format)!;
      this.result = format.raster
        ? await request('export:raster', {
            runId,
            kind: choice.format as 'probability' | 'mask',
            out: choice.out,
            threshold: choice.format === 'mask' ? (choice.threshold ?? undefined) : undefined,
            // The user's yes names the file it was given for: the services replace only that one.
            overwrite: confirmed ?? undefined,
          })
        : await request('export:regions', {
            runId,
            format: choice.format as 'geojson' | 'shapefile' | 'gpkg' | 'csv',
            out: choice.out,
            crs: choice.crs,
            includeWkt: choice.format === 'csv' && choice.includeWkt,
            filters: exportFilters(choice),
            overwrite: confirmed ?? undefined,
          });
      notices.push('success', 'EXPORTED', `Exported to ${this.result.path}`, scope);
      signal('export:done');
    } catch (error) {
      const { code, message } = errorOf(error);
      if (code === 'EXPORT_EXISTS' && confirmed === null) {
        this.confirmOverwrite = choice.out;
        signal('export:confirm-overwrite');
      } else {
        this.error = { code, message };
        notices.error(error, 'Exporting', scope);
      }
    } finally {
      this.busy = false;
    }
  }
}

export function exportFilters(choice: ExportChoice): ExportFilters {
  const filters: ExportFilters = {};
  if (choice.which === 'confirmed') filters.reviewStates = ['confirmed'];
  if (choice.which === 'all') filters.reviewStates = ['unreviewed', 'confirmed', 'rejected'];
  if (choice.minAreaM2 !== null && choice.minAreaM2 > 0) filters.minAreaM2 = choice.minAreaM2;
  if (choice.transitions.length > 0) {
    filters.transitions = choice.transitions.map((t) => {
      const [from, to] = splitTransition(t);
      return { from, to };
    });
  }
  return filters;
}

export const exportsState = new ExportState();
