// The API's words for imagery catalogues (issue 16): a search of a STAC API and the scenes it finds. One home for
// these shapes: the contract's requests, the services, the command line and the renderer all import them from here.
import { z } from 'zod';
import { calendarDate } from './calendarDate';

/** A catalogue's address: http(s) only (no file:, data: or other schemes reach the network code). */
export const catalogueUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const url = new URL(s);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'A catalogue address must be an http:// or https:// URL.');

const lon = z.number().min(-180).max(180);
const lat = z.number().min(-90).max(90);

/** The most scenes one search returns: a planner picks from a list, not from a whole archive. */
export const MAX_STAC_SCENES = 500;

export const stacSearchRequest = z
  .object({
    /** The STAC API's landing page (its root, where the `search` link is). */
    apiUrl: catalogueUrl,
    collections: z.array(z.string().min(1).max(200)).max(20).default([]),
    /** West, south, east, north in WGS 84. */
    bbox: z
      .tuple([lon, lat, lon, lat])
      .refine(([w, s, e, n]) => w < e && s < n, 'The area needs west < east and south < north.'),
    /** Inclusive calendar days (UTC). */
    from: calendarDate,
    to: calendarDate,
    /** Percent; scenes whose eo:cloud_cover is above it are left out (scenes that do not say are kept). */
    maxCloudCover: z.number().min(0).max(100).optional(),
    limit: z.number().int().min(1).max(MAX_STAC_SCENES).default(100),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'The date range must start before it ends.', path: ['to'] });
export type StacSearchRequest = z.input<typeof stacSearchRequest>;
export type StacSearchQuery = z.output<typeof stacSearchRequest>;

/** The image ChangeMap would read from a scene: a GeoTIFF/COG asset reachable over HTTP(S). */
export interface StacImageAsset {
  key: string;
  href: string;
  title: string | null;
  /** The asset's bands by their STAC common names (red, green, blue, nir, ...), where the item says. */
  commonNames: (string | null)[];
}

/** The bands stacked from per-band assets when the user names none: true colour. */
export const DEFAULT_STACK_BANDS: readonly string[] = ['red', 'green', 'blue'];
/** The most bands one stack reads (a model reads 3 or 4; a few more leave room for indices). */
export const MAX_STACK_BANDS = 8;

/** A STAC common name (red, green, blue, nir, nir08, swir16, ...). */
export const bandCommonName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,31}$/,
    'A band is named by its STAC common name, such as red, green, blue or nir.',
  );

/** The bands of a stack, in order. */
export const stackBandList = z.array(bandCommonName).min(1).max(MAX_STACK_BANDS);

/** One band a scene has as its own single-band GeoTIFF asset (Sentinel-2's B04, Landsat's red), for stacking. */
export const stacBandAsset = z.object({
  key: z.string().min(1).max(200),
  href: catalogueUrl,
  commonName: bandCommonName,
  /** The band's own name in the item (B04, SR_B4), where it gives one. */
  name: z.string().max(100).nullable(),
  /** Pixel size in metres, where the item says (raster:spatial_resolution or the asset's gsd). */
  resolutionM: z.number().positive().nullable(),
  /** raster:bands scale and offset (physical value = raw x scale + offset) and nodata, where given. */
  scale: z.number().finite().nullable(),
  offset: z.number().finite().nullable(),
  nodata: z.number().nullable(),
});
export type StacBandAsset = z.infer<typeof stacBandAsset>;

/** One scene of a catalogue, as the "Find imagery" list and `changemap search` show it. */
export interface StacScene {
  id: string;
  collection: string | null;
  /** Where the item itself can be read again (its self link), null when the catalogue gives none. */
  itemUrl: string | null;
  /** ISO 8601 date and time of acquisition (the middle of a range where the item gives only a range). */
  datetime: string | null;
  cloudCover: number | null;
  /** Ground sample distance in metres, where the item or its asset says. */
  gsdM: number | null;
  platform: string | null;
  /** West, south, east, north in WGS 84. */
  bbox: [number, number, number, number] | null;
  /** The footprint's outer rings, lon/lat (a polygon or each part of a multipolygon). */
  footprint: [number, number][][];
  thumbnailUrl: string | null;
  asset: StacImageAsset | null;
  /** Its single-band GeoTIFF assets by common name, which can be stacked into one image (services/stac/bandStack). */
  bands?: StacBandAsset[];
  /** Why the scene cannot be used (neither asset nor stackable red, green, blue bands), one sentence. */
  unusable: string | null;
}

export interface StacSearchResult {
  scenes: StacScene[];
  /** True when the catalogue had more matches than the limit. */
  truncated: boolean;
  /** How the search was sent (POST or GET), and how many pages were read. */
  method: 'GET' | 'POST';
  pages: number;
}

/** Where a date's image came from, recorded in the project beside the file or URL. */
export interface ImagerySource {
  /** 'planet': a Planet Data API item (collection is its item type, assetKey its asset type). */
  kind: 'stac' | 'planet';
  catalogue: string | null;
  itemUrl: string | null;
  itemId: string;
  collection: string | null;
  datetime: string | null;
  platform: string | null;
  assetKey: string;
  /** Where a downloaded image came from (the project reads the local copy). */
  downloadedFrom?: string;
  /** A stack of per-band assets: each band of the image in order (assetKey then names them all, joined by +). */
  bands?: { assetKey: string; commonName: string; href: string }[];
}

/** How a catalogue's assets are made readable: 'planetary-computer': a SAS token on each Azure Blob read. */
export type AssetSigningKind = 'planetary-computer';

/** A catalogue the "Find imagery" panel offers. */
export interface StacCatalogue {
  url: string;
  title: string;
  /**
   * Well-known public APIs ship with the app; 'added' ones this project searched; 'planet' is Planet's Data API
   * (searched with the user's API key; its collections are Planet item types).
   */
  kind: 'well-known' | 'added' | 'planet';
  /** Collections worth proposing first (true-colour imagery), where known. */
  collections: string[];
  note: string | null;
  /** Where its assets need a token to be read (services/stac/assetSigning.ts signs them at each read). */
  signing?: AssetSigningKind;
}

const httpUrl = catalogueUrl;

/** Scenes the user picked for one date, as the search gave them (their image addresses are checked again). */
export const stacUseScenesRequest = z
  .object({
    /** The date whose imagery the scenes become: by role or id; neither adds them as a new date of the series. */
    role: z.enum(['before', 'after']).optional(),
    dateId: z.number().int().positive().optional(),
    catalogue: catalogueUrl.nullable().default(null),
    /** Download the images into the project's data folder (offline work) instead of reading them by reference. */
    download: z.boolean().default(false),
    /**
     * Stack these bands (by common name, in this order) from each scene's per-band assets; default: the scene's
     * image (its visual asset), or red, green, blue where it has none.
     */
    bands: stackBandList.optional(),
    scenes: z
      .array(
        z.object({
          id: z.string().min(1).max(500),
          collection: z.string().max(200).nullable(),
          itemUrl: httpUrl.nullable(),
          datetime: z.string().max(64).nullable(),
          platform: z.string().max(200).nullable(),
          // Other fields of a scene may come along; only these are kept.
          asset: z.object({ key: z.string().min(1).max(200), href: httpUrl }).nullable(),
          bands: z.array(stacBandAsset).max(64).default([]),
        }),
      )
      .min(1, 'Pick at least one scene.')
      .max(200),
  })
  .strict()
  .refine((r) => r.role === undefined || r.dateId === undefined, 'Give the date by role or by id, not both.');
export type StacUseScenesRequest = z.output<typeof stacUseScenesRequest>;
