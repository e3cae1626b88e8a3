// What a caller may ask of the exports service. The schemas double as the IPC contract's request validation.

import { z } from 'zod';

export const ReviewStateSchema = z.enum(['unreviewed', 'confirmed', 'rejected']);

export const RegionFiltersSchema = z.object({
  /** Keep regions in these review states; omitted = all (the dialog's "only confirmed" is ['confirmed']). */
  reviewStates: z.array(ReviewStateSchema).min(1).optional(),
  /** Keep regions of at least this area (m²). */
  minAreaM2: z.number().nonnegative().optional(),
  /**
   * Keep regions whose change matches any of these (e.g. forest -> built-up). A side left out matches any class;
   * null matches regions without a class for that date.
   */
  transitions: z
    .array(z.object({ from: z.string().nullable().optional(), to: z.string().nullable().optional() }))
    .min(1)
    .optional(),
});
export type RegionFilters = z.infer<typeof RegionFiltersSchema>;

export const RegionExportFormatSchema = z.enum(['geojson', 'shapefile', 'geopackage', 'csv']);
export type RegionExportFormat = z.infer<typeof RegionExportFormatSchema>;

export const ExportRegionsRequestSchema = z.object({
  runId: z.number().int().positive(),
  format: RegionExportFormatSchema,
  /** Absolute path of the file to write (.geojson, .zip, .gpkg, .csv). */
  out: z.string().min(1),
  /** Coordinates in the run's grid CRS or WGS 84. GeoJSON is always WGS 84 (RFC 7946). Default wgs84. */
  crs: z.enum(['grid', 'wgs84']).default('wgs84'),
  filters: RegionFiltersSchema.default({}),
  /** CSV only: add the outline as WKT in a column "wkt". */
  includeWkt: z.boolean().default(false),
  /** Replace an existing file at `out`. Without it an existing file gives EXPORT_EXISTS. */
  overwrite: z.boolean().default(false),
});
export type ExportRegionsRequest = z.input<typeof ExportRegionsRequestSchema>;

export const ExportRasterRequestSchema = z.object({
  runId: z.number().int().positive(),
  kind: z.enum(['probability', 'mask']),
  /** Mask only: a pixel is change when its probability is at least this. */
  threshold: z.number().min(0).max(1).optional(),
  out: z.string().min(1),
  overwrite: z.boolean().default(false),
});
export type ExportRasterRequest = z.input<typeof ExportRasterRequestSchema>;

export interface ExportResult {
  /** Absolute path of the written file. */
  path: string;
  featureCount: number;
}
