// The open project's imagery: a series of dates (two or more), which files make each, their band roles, and the
// pre-flight check of a pair. Persisted in cm_imagery_sets / cm_imagery_files so a project reopens with its imagery.
// The two-date API ('before', 'after') names the first and the last date of the series (see schema version 5).
import { ChangeMapError } from '../../core/errors';
import { PIXEL_TILE_GRID } from '../../core/preview/pixelTiles';
import type { BandRole } from '../../core/raster/types';
import type {
  DateRole,
  ImageryDateSummary,
  ImageryState,
  PreflightIssue,
  SeriesDate,
} from '../../ipc/contract';
import { readOnlyError, type ProjectStore } from '../project/projectStore';
import { parseStoredJson } from '../project/storedValues';
import { fileFingerprint } from './fileFingerprint';
import { gridOutline, openImagerySet, type ImagerySet } from './imagerySet';
import { preflightPair } from './preflight';

interface StoredSet {
  /** cm_imagery_sets.id: the date's id in the API. */
  id: number;
  role: DateRole | null;
  position: number;
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

/**
 * A date's stored settings (band roles, the date the user entered): damaged JSON or another shape is PROJECT_CORRUPT,
 * not a SyntaxError (found by the open-path fuzzer).
 */
function storedSetMetadata(text: string, what: string): { bandRoles?: BandRole[]; userAcquiredAt?: string } {
  const metadata = parseStoredJson<{ bandRoles?: unknown; userAcquiredAt?: unknown } | null>(text, what);
  const roles = metadata?.bandRoles;
  const shapeOk =
    typeof metadata === 'object' &&
    metadata !== null &&
    (roles === undefined || (Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) &&
    (metadata.userAcquiredAt === undefined || typeof metadata.userAcquiredAt === 'string');
  if (!shapeOk)
    throw new ChangeMapError(
      'PROJECT_CORRUPT',
      `The project's ${what} are damaged (not the band roles and date it stores), so they cannot be read; the file was left as it is. Choose that date's imagery again.`,
    );
  return metadata as { bandRoles?: BandRole[]; userAcquiredAt?: string };
}

export class ProjectImagery {
  /** Each date's opened imagery, by date id (cm_imagery_sets.id). */
  private readonly sets = new Map<number, ImagerySet>();
  private preflight: PreflightIssue[] | null = null;
  /** The stored imagery being reopened: every caller waits for the same reopening (state() may be called twice at once). */
  private loading: Promise<void> | null = null;

  constructor(private readonly project: ProjectStore) {}

  /** Every stored date, in series order. */
  private storedDates(): StoredSet[] {
    const rows = this.project.db
      .prepare('SELECT id, role, position, metadata FROM cm_imagery_sets ORDER BY position, id')
      .all() as { id: number; role: DateRole | null; position: number; metadata: string }[];
    const files = this.project.db.prepare(
      'SELECT uri FROM cm_imagery_files WHERE set_id = ? ORDER BY position',
    );
    return rows.map((row) => {
      const metadata = storedSetMetadata(row.metadata, `imagery settings of date ${row.position + 1}`);
      return {
        id: row.id,
        role: row.role,
        position: row.position,
        uris: (files.all(row.id) as { uri: string }[]).map((f) => f.uri),
        bandRoles: metadata.bandRoles ?? null,
        userAcquiredAt: metadata.userAcquiredAt ?? null,
      };
    });
  }

  private stored(role: DateRole): StoredSet | null {
    return this.storedDates().find((d) => d.role === role) ?? null;
  }

  private storedDate(dateId: number): StoredSet {
    const date = this.storedDates().find((d) => d.id === dateId);
    if (!date) {
      throw new ChangeMapError(
        'DATE_NOT_FOUND',
        `There is no date ${dateId} in this project; list the dates with the imagery panel or \`changemap runs\`.`,
      );
    }
    return date;
  }

  /** The date id a role names (the first or last date of the series); null when that date is not set. */
  dateIdOf(role: DateRole): number | null {
    return this.stored(role)?.id ?? null;
  }

  /** Reopens the stored imagery once; a date whose files are gone is reported as a warning, not thrown. */
  private ensureLoaded(): Promise<void> {
    this.loading ??= this.reopen();
    return this.loading;
  }

  private async reopen(): Promise<void> {
    for (const stored of this.storedDates()) {
      try {
        const set = await openImagerySet(stored.uris);
        this.sets.set(stored.id, stored.bandRoles ? set.withBandRoles(stored.bandRoles) : set);
      } catch (error) {
        this.preflight = [
          ...(this.preflight ?? []),
          {
            code: 'IMAGERY_UNAVAILABLE',
            severity: 'error',
            message: `The ${stored.role ?? `date ${stored.id}`} imagery cannot be read any more: ${(error as Error).message}`,
          },
        ];
      }
    }
  }

  /** Files of a date as stored in the project (what a run reads). */
  uris(role: DateRole): string[] {
    return this.stored(role)?.uris ?? [];
  }

  /** Files of a date of the series, by id. */
  urisOfDate(dateId: number): string[] {
    return this.storedDate(dateId).uris;
  }

  bandRoles(role: DateRole): BandRole[] | null {
    return this.stored(role)?.bandRoles ?? null;
  }

  /** Sets the files of the before (first) or after (last) date, adding that date where it is missing. */
  async setFiles(role: DateRole, uris: string[]): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const set = await openImagerySet(uris); // throws a coded error for unreadable input; nothing stored then
    const previous = this.stored(role);
    if (previous) return this.replaceFiles(previous, uris, set);
    const dates = this.storedDates();
    // A missing before date goes first, a missing after date last.
    const position =
      role === 'before' ? Math.min(0, ...dates.map((d) => d.position)) - 1 : this.nextPosition(dates);
    this.insertDate(position, uris, set, null, await fingerprints(uris));
    return this.changed();
  }

  /** Sets the files of a date of the series, by id; a date the user entered stays while it keeps some files. */
  async setDateFiles(dateId: number, uris: string[]): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const previous = this.storedDate(dateId);
    return this.replaceFiles(previous, uris, await openImagerySet(uris));
  }

  private async replaceFiles(previous: StoredSet, uris: string[], set: ImagerySet): Promise<ImageryState> {
    // A date the user entered stays while the date keeps some of its files (a mosaic growing tile by tile).
    const keepsFiles = previous.uris.some((u) => uris.includes(u));
    await this.sets.get(previous.id)?.close();
    this.sets.set(previous.id, set);
    await this.persist(previous.id, uris, null, set, keepsFiles ? previous.userAcquiredAt : null);
    return this.changed();
  }

  /**
   * Adds a date after the last one (one or many tiles, read as one mosaic), with the acquisition date the user
   * knows (else the files'); the series keeps its order, so add dates oldest first.
   */
  async addDate(uris: string[], acquiredAt: string | null = null): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const set = await openImagerySet(uris);
    this.insertDate(this.nextPosition(this.storedDates()), uris, set, acquiredAt, await fingerprints(uris));
    return this.changed();
  }

  /** Takes a date out of the series; runs that compared it keep their files and results. */
  async removeDate(dateId: number): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    this.storedDate(dateId);
    await this.sets.get(dateId)?.close();
    this.sets.delete(dateId);
    const db = this.project.db;
    db.transaction(() => {
      db.prepare('DELETE FROM cm_imagery_sets WHERE id = ?').run(dateId);
      this.retag();
    })();
    return this.changed();
  }

  private nextPosition(dates: StoredSet[]): number {
    return Math.max(-1, ...dates.map((d) => d.position)) + 1;
  }

  private insertDate(
    position: number,
    uris: string[],
    set: ImagerySet,
    userAcquiredAt: string | null,
    prints: string[],
  ): number {
    const db = this.project.db;
    return db.transaction(() => {
      const { lastInsertRowid } = db
        .prepare('INSERT INTO cm_imagery_sets (role, position, acquired_at, metadata) VALUES (NULL, ?, ?, ?)')
        .run(
          position,
          userAcquiredAt ?? set.summary.acquiredAt,
          JSON.stringify(metadataOf(set, null, userAcquiredAt)),
        );
      const id = Number(lastInsertRowid);
      insertFiles(db, id, uris, prints);
      this.sets.set(id, set);
      this.retag();
      return id;
    })();
  }

  /**
   * Tags the first date 'before' and the last 'after' (a lone date keeps its tag, so a project with only an after
   * date still shows it as after): what the two-date API, the exports and older readers of the file read.
   */
  private retag(): void {
    const db = this.project.db;
    const dates = db.prepare('SELECT id, role FROM cm_imagery_sets ORDER BY position, id').all() as {
      id: number;
      role: DateRole | null;
    }[];
    if (dates.length === 0) return;
    if (dates.length === 1) {
      if (!dates[0].role)
        db.prepare("UPDATE cm_imagery_sets SET role = 'before' WHERE id = ?").run(dates[0].id);
      return;
    }
    db.prepare('UPDATE cm_imagery_sets SET role = NULL').run(); // first, since role is UNIQUE
    db.prepare("UPDATE cm_imagery_sets SET role = 'before' WHERE id = ?").run(dates[0].id);
    db.prepare("UPDATE cm_imagery_sets SET role = 'after' WHERE id = ?").run(dates[dates.length - 1].id);
  }

  async setBandRoles(role: DateRole, roles: BandRole[]): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const stored = this.stored(role);
    const set = stored && this.sets.get(stored.id);
    if (!stored || !set) return this.state();
    const next = set.withBandRoles(roles);
    this.sets.set(stored.id, next);
    await this.persist(stored.id, stored.uris, roles, next, stored.userAcquiredAt);
    return this.changed();
  }

  /**
   * The acquisition date of a date's imagery as the user knows it (YYYY-MM-DD), or null to go back to the date
   * the files carry. Stored in the project; every export's before_date / after_date comes from it.
   */
  async setAcquiredAt(which: DateRole | number, date: string | null): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const stored = typeof which === 'number' ? this.storedDate(which) : this.stored(which);
    const set = stored && this.sets.get(stored.id);
    if (!stored || !set) {
      throw new ChangeMapError(
        'IMAGERY_MISSING',
        `Add the ${typeof which === 'number' ? `date ${which}` : which} imagery before giving its acquisition date.`,
      );
    }
    await this.persist(stored.id, stored.uris, stored.bandRoles, set, date);
    return this.state();
  }

  async clear(role: DateRole): Promise<ImageryState> {
    if (this.project.readOnly) throw readOnlyError(this.project.file);
    await this.ensureLoaded();
    const stored = this.stored(role);
    if (!stored) return this.changed();
    return this.removeDate(stored.id);
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

  /** Rewrites a date's files and metadata in place: its id, position and the runs that name it stay. */
  private async persist(
    dateId: number,
    uris: string[],
    roles: BandRole[] | null,
    set: ImagerySet,
    userAcquiredAt: string | null,
  ): Promise<void> {
    const prints = await fingerprints(uris);
    const db = this.project.db;
    db.transaction(() => {
      db.prepare('UPDATE cm_imagery_sets SET acquired_at = ?, metadata = ? WHERE id = ?').run(
        userAcquiredAt ?? set.summary.acquiredAt,
        JSON.stringify(metadataOf(set, roles, userAcquiredAt)),
        dateId,
      );
      db.prepare('DELETE FROM cm_imagery_files WHERE set_id = ?').run(dateId);
      insertFiles(db, dateId, uris, prints);
    })();
  }

  private async changed(): Promise<ImageryState> {
    this.preflight = null;
    return this.state();
  }

  /**
   * The pre-flight check of two dates of the series (what a run comparing them needs): the blocking errors and
   * warnings, as for the before/after pair.
   */
  async preflightDates(fromId: number, toId: number): Promise<PreflightIssue[]> {
    await this.ensureLoaded();
    const from = this.storedDate(fromId);
    const to = this.storedDate(toId);
    const a = this.sets.get(from.id);
    const b = this.sets.get(to.id);
    if (!a || !b) {
      return [
        {
          code: 'IMAGERY_UNAVAILABLE',
          severity: 'error',
          message: `The imagery of date ${a ? to.id : from.id} cannot be read any more; add its files again.`,
        },
      ];
    }
    const result = await preflightPair(a, b);
    return [
      ...result.errors.map((i) => ({ ...i, severity: 'error' as const })),
      ...result.warnings.map((i) => ({ ...i, severity: 'warning' as const })),
    ];
  }

  /**
   * The files of two dates a run compares, after the checks a run needs: both dates exist, the earlier comes
   * first in the series, and the pair passes its pre-flight check (blocking errors refuse, with their own code).
   */
  async pairInputs(fromId: number, toId: number): Promise<{ before: string[]; after: string[] }> {
    const from = this.storedDate(fromId);
    const to = this.storedDate(toId);
    if (from.position >= to.position) {
      throw new ChangeMapError(
        'RUN_DATES_ORDER',
        `Date ${fromId} comes after date ${toId} in the series; give the earlier date first.`,
      );
    }
    const blocking = (await this.preflightDates(fromId, toId)).find((i) => i.severity === 'error');
    if (blocking) throw new ChangeMapError(blocking.code, `Dates ${fromId} → ${toId}: ${blocking.message}`);
    return { before: from.uris, after: to.uris };
  }

  async state(): Promise<ImageryState> {
    await this.ensureLoaded();
    const stored = this.storedDates();
    const beforeId = stored.find((d) => d.role === 'before')?.id;
    const afterId = stored.find((d) => d.role === 'after')?.id;
    const before = beforeId === undefined ? undefined : this.sets.get(beforeId);
    const after = afterId === undefined ? undefined : this.sets.get(afterId);
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
    const dates: SeriesDate[] = [];
    for (const date of stored) {
      const shown = summaryOf('before', this.sets.get(date.id), date.userAcquiredAt, pixelSizeM);
      if (shown) dates.push({ ...shown, id: date.id, role: date.role });
    }
    const shown = before ?? after ?? this.sets.values().next().value;
    return {
      before: summary('before', before),
      after: summary('after', after),
      dates,
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

  /** The opened imagery of the before (first) or after (last) date, or of a date of the series by id. */
  set(which: DateRole | number): ImagerySet | undefined {
    const id = typeof which === 'number' ? which : this.dateIdOf(which);
    return id === null ? undefined : this.sets.get(id);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sets.values()].map((s) => s.close()));
    this.sets.clear();
  }
}

function fingerprints(uris: string[]): Promise<string[]> {
  return Promise.all(uris.map(fileFingerprint));
}

function metadataOf(set: ImagerySet, roles: BandRole[] | null, userAcquiredAt: string | null) {
  return { ...set.summary, bandRoles: roles ?? undefined, userAcquiredAt: userAcquiredAt ?? undefined };
}

function insertFiles(db: ProjectStore['db'], setId: number, uris: string[], prints: string[]): void {
  const insert = db.prepare(
    'INSERT INTO cm_imagery_files (set_id, position, uri, fingerprint) VALUES (?, ?, ?, ?)',
  );
  uris.forEach((uri, i) => insert.run(setId, i, uri, prints[i]));
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
