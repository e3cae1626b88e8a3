// The "before" and "after" imagery of the open project: metadata, band roles, pre-flight issues, preview progress.
import type {
  BandRoleName,
  DateRole,
  ImageryDateSummary,
  ImageryState as ImageryStateDto,
} from '../../../src-main/ipc/contract';
import { onEvent, request } from '../lib/api';
import { signal } from '../lib/signals';
import { notices } from './notices.svelte';

export const DATE_ROLES: readonly DateRole[] = ['before', 'after'];
export const BAND_ROLES: readonly BandRoleName[] = ['red', 'green', 'blue', 'nir', 'alpha', 'other'];
export const IMAGERY_EXTENSIONS = ['.tif', '.tiff', '.vrt', '.png', '.jpg', '.jpeg'];

const EMPTY: ImageryStateDto = {
  before: null,
  after: null,
  dates: [],
  preflight: [],
  mapSpace: { kind: 'wgs84' },
};

export class ImageryState {
  state = $state.raw<ImageryStateDto>(EMPTY);
  /** Which date is being loaded (setFiles in flight). */
  loading = $state<Record<DateRole, boolean>>({ before: false, after: false });
  /** Preview rendering progress per date, 0..1; null when idle. */
  previewProgress = $state<Record<DateRole, number | null>>({ before: null, after: null });
  /** Per-date error of the last attempt, shown inside that date's card. */
  errors = $state<Record<DateRole, { code: string; message: string } | null>>({ before: null, after: null });
  /** One-line notice of the last drop on a date's card that could not be used (null: none). */
  dropNotice = $state<Record<DateRole, string | null>>({ before: null, after: null });
  /** Bumped whenever a date's pixels may look different (new files, new band roles): the map reloads tiles. */
  revision = $state(0);
  /** Asks the map to zoom to the imagery; bumped by "Zoom to imagery" and when a date is first added. */
  zoomRequest = $state(0);
  private subscribed = false;

  listen(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    onEvent('imagery:changed', (state) => this.apply(state));
    onEvent('imagery:previewProgress', ({ role, fraction, done }) => {
      // Dates between the first and the last have no card to show progress on (the map shows them when ready).
      if (role === 'before' || role === 'after') this.previewProgress[role] = done ? null : fraction;
      if (done) signal(`imagery:preview-done:${role}`);
    });
  }

  date(role: DateRole): ImageryDateSummary | null {
    return this.state[role];
  }

  /** Unit of region areas: square pixels for imagery without georeference and without a pixel size, else m². */
  get areaUnit(): 'm' | 'px' {
    const space = this.state.mapSpace;
    return space.kind === 'pixel' && space.pixelSizeM === null ? 'px' : 'm';
  }

  /** Imagery without georeference: the ground size of a pixel (m) the user knows, or null. */
  async setPixelSize(sizeM: number | null): Promise<void> {
    try {
      this.apply(await request('imagery:setPixelSize', { sizeM }));
      signal('imagery:pixel-size');
    } catch (error) {
      notices.error(error, 'Setting the pixel size');
    }
  }

  get ready(): boolean {
    return (
      !!this.state.before && !!this.state.after && !this.state.preflight.some((i) => i.severity === 'error')
    );
  }

  async load(): Promise<void> {
    try {
      this.apply(await request('imagery:get', {}));
    } catch (error) {
      notices.error(error, 'Reading the imagery');
    }
    signal('imagery:ready');
  }

  async setFiles(role: DateRole, uris: string[]): Promise<boolean> {
    if (uris.length === 0) return false;
    this.loading[role] = true;
    this.errors[role] = null;
    this.dropNotice[role] = null;
    try {
      this.apply(await request('imagery:setFiles', { role, uris }));
      this.zoomRequest++;
      signal(`imagery:set:${role}`);
      return true;
    } catch (error) {
      this.errors[role] = notices.error(error, `Adding the ${role} imagery`);
      return false;
    } finally {
      this.loading[role] = false;
    }
  }

  /** Adds files to a date, keeping the ones it has (a mosaic grows tile by tile). */
  addFiles(role: DateRole, paths: string[]): Promise<boolean> {
    const existing = this.state[role]?.uris ?? [];
    return this.setFiles(role, existing.concat(paths.filter((p) => !existing.includes(p))));
  }

  /**
   * Files dropped on a date's card. `paths` is null where the shell cannot tell a dropped file's path (the
   * browser host): the card then says that dropping needs the desktop app.
   */
  async drop(role: DateRole, paths: string[] | null): Promise<void> {
    this.dropNotice[role] = null;
    if (paths === null) {
      this.dropNotice[role] = 'Drag and drop needs the desktop app.';
      signal(`imagery:drop-refused:${role}`);
      return;
    }
    const imageryPaths = paths.filter((p) => IMAGERY_EXTENSIONS.some((e) => p.toLowerCase().endsWith(e)));
    if (imageryPaths.length === 0) {
      this.dropNotice[role] = 'Only GeoTIFF (.tif, .tiff), VRT, PNG and JPEG files can be dropped here.';
      signal(`imagery:drop-refused:${role}`);
      return;
    }
    await this.addFiles(role, imageryPaths);
  }

  async clear(role: DateRole): Promise<void> {
    try {
      this.apply(await request('imagery:clear', { role }));
      this.errors[role] = null;
    } catch (error) {
      notices.error(error, `Removing the ${role} imagery`);
    }
  }

  async setBandRole(role: DateRole, index: number, name: BandRoleName): Promise<void> {
    const date = this.state[role];
    if (!date) return;
    const roles = date.bands.map((b) => (b.index === index ? name : b.role));
    try {
      this.apply(await request('imagery:setBandRoles', { role, roles }));
      signal(`imagery:bands:${role}`);
    } catch (error) {
      this.errors[role] = notices.error(error, 'Changing the band roles');
    }
  }

  /** The acquisition date the user knows (YYYY-MM-DD), or null to go back to the date the files carry. */
  async setAcquiredAt(role: DateRole, date: string | null): Promise<void> {
    try {
      this.apply(await request('imagery:setAcquiredAt', { role, date }));
      signal(`imagery:date:${role}`);
    } catch (error) {
      this.errors[role] = notices.error(error, `Setting the ${role} acquisition date`);
    }
  }

  /** One web-mercator preview tile of a date (the map's tile loader). */
  previewTile(role: DateRole, z: number, x: number, y: number): Promise<{ png: string } | null> {
    return request('imagery:previewTile', { role, z, x, y });
  }

  zoomToImagery(): void {
    this.zoomRequest++;
  }

  reset(): void {
    this.state = EMPTY;
    this.errors = { before: null, after: null };
    this.dropNotice = { before: null, after: null };
  }

  /** Takes the services' imagery state (also what the series store's date calls answer). */
  apply(next: ImageryStateDto): void {
    const changed = DATE_ROLES.some((r) => pixelsKey(this.state[r]) !== pixelsKey(next[r]));
    this.state = next;
    if (changed) this.revision++;
  }
}

/** What decides how a date's preview looks: its files and band roles. */
function pixelsKey(date: ImageryDateSummary | null): string {
  return date ? `${date.uris.join('|')}#${date.bands.map((b) => b.role).join(',')}` : '';
}

export const imagery = new ImageryState();
