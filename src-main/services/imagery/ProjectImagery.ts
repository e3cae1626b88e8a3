// The open project's imagery: which files make each date, their band roles, and the pair's pre-flight check.
// Persisted in cm_imagery_sets / cm_imagery_files so a project reopens with its imagery.
import { ChangeMapError } from '../../core/errors';
import { PIXEL_TILE_GRID } from '../../core/preview/pixelTiles';
import type { BandRole } from '../../core/raster/types';
import type { DateRole, ImageryDateSummary, ImageryState, PreflightIssue } from '../../ipc/contract';
import { readOnlyError, type ProjectStore } from '../project/projectStore';
import { fileFingerprint } from './fileFingerprint';
import { gridOutline, openImagerySet, type ImagerySet } from './imagerySet';
import { preflightPair } from './preflight';

interface StoredSet {
  uris: string[];
  bandRoles: BandRole[] | null;
  /** The acquisition date the user entered (YYYY-MM-DD); null when the files' own date applies. */
  userAcquiredAt: string | null;
}

/** cm_settings key of the ground pixel size (metres) the user gave for imagery without georeference. */
const PIXEL_SIZE_SETTING = 'pixel_size_m';

/** The ground size of a pixel (m) the user gave for imagery without georeference; null when not given. */
export function userPixelSizeM(project: ProjectStore): number | null {
  const value = project.getSetting<number | null>(PIXEL_SIZE_SETTING);
  return typeof value === 'number' && value > 0 ? value : null;
}

export class ProjectImagery {
  private readonly sets = new Map<DateRole, ImagerySet>();
  private preflight: PreflightIssue[] | null = null;
  /** The stored imagery being reopened: every caller waits for the same reopening (state() may be called twice at once). */
  private loading: Promise<void> | null = null;

  constructor(private readonly project: ProjectStore) {}

  private stored(role: DateRole): StoredSet | null {
    const set = this.project.db
      .prepare('SELECT id, metadata FROM cm_imagery_sets WHERE role = ?')
      .get(role) as { id: number; metadata: string } | undefined;
    if (!set) return null;
    const files = this.project.db
      .prepare('SELECT uri FROM cm_imagery_files WHERE set_id = ? ORDER BY position')
      .all(set.id) as { uri: string }[];
    const metadata = JSON.parse(set.metadata) as { bandRoles?: BandRole[]; userAcquiredAt?: string };
    return {
      uris: files.map((f) => f.uri),
      bandRoles: metadata.bandRoles ?? null,
      userAcquiredAt: metadata.userAcquiredAt ?? null,
    };
  }

  /** Reopens the stored imagery once; a date whose files are gone is reported as a warning, not thrown. */
  private ensureLoaded(): Promise<void> {
    this.loading ??= this.reopen();
    return this.loading;
  }

  private async reopen(): Promise<void> {
    for (const role of ['before', 'after'] as const) {
      const stored = this.stored(role);
      if (!stored) continue;
      try {
        const set = await openImagerySet(stored.uris);
        this.sets.set(role, stored.bandRoles ? set.withBandRoles(stored.bandRoles) : set);
      } catch (error) {
        this.preflight = [
          ...(this.preflight ?? []),
          {
            code: 'IMAGERY_UNAVAILABLE',
            severity: 'error',
            message: `The ${role} imagery cannot be read any more: ${(error as Error).message}`,
          },
        ];
      }
    }
  }

  /** Files of a date as stored in the project (what a run reads). */
  uris(role: DateRole): string[] {
    return this.stored(role)?.uris ?? [];
  }

  bandRoles(role: DateRole): BandRole[] | null {
    return this.stored(role)?.bandRoles ?? null;
  }

  async setFiles(role: DateRole, uris: string[]): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const set = await openImagerySet(uris); // throws a coded error for unreadable input; nothing stored then
    const previous = this.stored(role);
    // A date the user entered stays while the date keeps some of its files (a mosaic growing tile by tile).
    const keepsFiles = previous?.uris.some((u) => uris.includes(u)) ?? false;
    await this.sets.get(role)?.close();
    this.sets.set(role, set);
    await this.persist(role, uris, null, set, keepsFiles ? (previous?.userAcquiredAt ?? null) : null);
    return this.changed();
  }

  async setBandRoles(role: DateRole, roles: BandRole[]): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const set = this.sets.get(role);
    if (!set) return this.state();
    const next = set.withBandRoles(roles);
    this.sets.set(role, next);
    await this.persist(role, this.uris(role), roles, next, this.stored(role)?.userAcquiredAt ?? null);
    return this.changed();
  }

  /**
   * The acquisition date of a date's imagery as the user knows it (YYYY-MM-DD), or null to go back to the date
   * the files carry. Stored in the project; every export's before_date / after_date comes from it.
   */
  async setAcquiredAt(role: DateRole, date: string | null): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const set = this.sets.get(role);
    if (!set) {
      throw new ChangeMapError(
        'IMAGERY_MISSING',
        `Add the ${role} imagery before giving its acquisition date.`,
      );
    }
    await this.persist(role, this.uris(role), this.bandRoles(role), set, date);
    return this.state();
  }

  async clear(role: DateRole): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    await this.sets.get(role)?.close();
    this.sets.delete(role);
    this.project.db.prepare('DELETE FROM cm_imagery_sets WHERE role = ?').run(role);
    return this.changed();
  }

  /**
   * The ground size of a pixel (m) of imagery without georeference, as the user knows it (null: unknown). Region
   * areas are in m² with it and in square pixels without; regions found before it was given keep their areas
   * until they are found again.
   */
  async setPixelSize(sizeM: number | null): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const georeferenced = [...this.sets.values()].some((s) => s.metadata.grid.crs.code !== null);
    if (georeferenced) {
      throw new ChangeMapError(
        'PIXEL_SIZE_FROM_GEOREFERENCE',
        'This imagery is georeferenced: its pixel size comes from the files and cannot be set by hand.',
      );
    }
    this.project.setSetting(PIXEL_SIZE_SETTING, sizeM);
    return this.state();
  }

  private async persist(
    role: DateRole,
    uris: string[],
    roles: BandRole[] | null,
    set: ImagerySet,
    userAcquiredAt: string | null,
  ): Promise<void> {
    const fingerprints = await Promise.all(uris.map(fileFingerprint));
    const db = this.project.db;
    db.transaction(() => {
      db.prepare('DELETE FROM cm_imagery_sets WHERE role = ?').run(role);
      const metadata = {
        ...set.summary,
        bandRoles: roles ?? undefined,
        userAcquiredAt: userAcquiredAt ?? undefined,
      };
      const { lastInsertRowid } = db
        .prepare('INSERT INTO cm_imagery_sets (role, acquired_at, metadata) VALUES (?, ?, ?)')
        .run(role, userAcquiredAt ?? set.summary.acquiredAt, JSON.stringify(metadata));
      const insert = db.prepare(
        'INSERT INTO cm_imagery_files (set_id, position, uri, fingerprint) VALUES (?, ?, ?, ?)',
      );
      uris.forEach((uri, i) => insert.run(lastInsertRowid, i, uri, fingerprints[i]));
    })();
  }

  private async changed(): Promise<ImageryState> {
    this.preflight = null;
    return this.state();
  }

  async state(): Promise<ImageryState> {
    await this.ensureLoaded();
    const before = this.sets.get('before');
    const after = this.sets.get('after');
    if (this.preflight === null) {
      if (before && after) {
        const result = await preflightPair(before, after);
        this.preflight = [
          ...result.errors.map((i) => ({ ...i, severity: 'error' as const })),
          ...result.warnings.map((i) => ({ ...i, severity: 'warning' as const })),
        ];
      } else {
        this.preflight = [];
      }
    }
    const pixelSizeM = userPixelSizeM(this.project);
    const summary = (role: DateRole, set: ImagerySet | undefined) =>
      summaryOf(role, set, this.stored(role)?.userAcquiredAt ?? null, pixelSizeM);
    const shown = before ?? after;
    return {
      before: summary('before', before),
      after: summary('after', after),
      preflight: this.preflight,
      mapSpace:
        shown && shown.metadata.grid.crs.code === null
          ? {
              kind: 'pixel',
              width: shown.metadata.grid.width,
              height: shown.metadata.grid.height,
              pixelSizeM,
              tiles: PIXEL_TILE_GRID,
            }
          : { kind: 'wgs84' },
    };
  }

  set(role: DateRole): ImagerySet | undefined {
    return this.sets.get(role);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sets.values()].map((s) => s.close()));
    this.sets.clear();
  }
}

function summaryOf(
  role: DateRole,
  set: ImagerySet | undefined,
  userAcquiredAt: string | null,
  userPixelSize: number | null,
): ImageryDateSummary | null {
  if (!set) return null;
  const s = set.summary;
  const pixelSpace = set.metadata.grid.crs.code === null;
  // Without georeference: the user's pixel size (if any), and the outline in pixel map coordinates.
  const pixelSizeM: [number, number] | null =
    pixelSpace && userPixelSize ? [userPixelSize, userPixelSize] : s.pixelSizeM;
  return {
    role,
    uris: s.files,
    crs: s.crs,
    pixelSizeM,
    widthPx: s.widthPx,
    heightPx: s.heightPx,
    areaKm2: pixelSizeM ? (s.widthPx * s.heightPx * pixelSizeM[0] * pixelSizeM[1]) / 1e6 : null,
    bands: s.bandRoles.map((r, index) => ({ index, role: r })),
    sampleType: s.sampleType,
    nodata: s.nodata,
    acquiredAt: userAcquiredAt ?? s.acquiredAt,
    acquiredAtSource: userAcquiredAt ? 'user' : s.acquiredAt ? 'files' : null,
    hasOverviews: s.hasOverviews,
    footprint: pixelSpace
      ? gridOutline(set.metadata.grid, 1).map(([x, y]) => [x, y] as [number, number])
      : (s.footprint?.coordinates[0] ?? null),
  };
}
