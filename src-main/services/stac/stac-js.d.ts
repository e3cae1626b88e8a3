// stac-js (STAC's reference helper library, by the spec's maintainer) ships JavaScript without types; this is the
// part ChangeMap uses. Objects keep their STAC fields as own properties (item.properties, item.assets, ...).
declare module 'stac-js' {
  export interface Link {
    href: string;
    rel: string;
    type?: string;
    method?: string;
    body?: Record<string, unknown>;
    merge?: boolean;
    headers?: Record<string, string>;
    getAbsoluteUrl(): string;
  }
  export interface Band {
    [field: string]: unknown;
  }
  export interface Asset {
    href: string;
    title?: string;
    type?: string;
    roles?: string[];
    getKey(): string;
    getAbsoluteUrl(): string;
    getMetadata(field: string): unknown;
    getBands(): Band[];
    findVisualBands(): { red: Band; green: Band; blue: Band } | null;
    hasRole(roles: string | string[], includeKey?: boolean): boolean;
    isType(types: string | string[]): boolean;
  }
  export interface Item {
    id: string;
    collection?: string;
    geometry: unknown;
    properties: Record<string, unknown>;
    getObjectType(): 'Item';
    getBoundingBox(): [number, number, number, number] | null;
    getDateTime(): Date | null;
    getMetadata(field: string): unknown;
    getThumbnails(browserOnly?: boolean, prefer?: string | null): (Asset | Link)[];
    rankGeoFiles(
      type: 'geotiff',
      httpOnly?: boolean,
      optimizedOnly?: boolean,
    ): { asset: Asset; score: number }[];
    getLinkWithRel(rel: string): Link | null;
    getAbsoluteUrl(): string | null;
    setAbsoluteUrl(url: string): void;
  }
  export interface ItemCollection {
    features: Item[];
    getObjectType(): 'ItemCollection';
    getLinkWithRel(rel: string): Link | null;
  }
  export interface Catalog {
    getObjectType(): 'Catalog' | 'Collection';
    getSearchLink(method?: string | null): Link | null;
    conformsTo?: string[];
    setAbsoluteUrl(url: string): void;
  }
  export type STACObject = Item | ItemCollection | Catalog;
  /** Makes the matching object for STAC data, migrating older STAC versions (through @radiantearth/stac-migrate). */
  export default function create(data: unknown, migrate?: boolean, updateVersionNumber?: boolean): STACObject;
}
