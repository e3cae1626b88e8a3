// When an image was taken, from what its files say: acquisition metadata items (GDAL, Sentinel, Landsat), a date
// in the file name (S2A_MSIL2A_20200315T101021_..., LC08_..._20200315_..., scene_2020-03-15.tif), and last the file's
// own timestamp (TIFF DateTime, PNG "Creation Time"), which is often the processing date rather than the flight.
// Every date comes out as YYYY-MM-DD.

/** Metadata items that name the acquisition itself, most specific first (compared case-insensitively). */
const ACQUISITION_KEYS = [
  'ACQUISITIONDATETIME',
  'ACQUISITION_DATE',
  'ACQUISITIONDATE',
  'DATE_ACQUIRED',
  'SENSING_TIME',
  'DATATAKE_1_DATATAKE_SENSING_START',
  'PRODUCT_START_TIME',
  'ACQUIRED',
  'DATETIME_ORIGINAL',
];
/** Items that carry the file's timestamp (written by GDAL as TIFFTAG_DATETIME, by PNG writers as Creation Time). */
const FILE_TIME_KEYS = ['TIFFTAG_DATETIME', 'DATETIME', 'CREATION TIME', 'CREATION_TIME'];

/** A calendar date (ISO 8601, TIFF "YYYY:MM:DD hh:mm:ss" or compact YYYYMMDD) as YYYY-MM-DD; null when not one. */
export function normaliseDate(text: string): string | null {
  const m = /^\s*(\d{4})[-:/_.]?(\d{2})[-:/_.]?(\d{2})(?:$|[T\s_]|\d{2}:?\d{2})/.exec(text);
  return m ? validDate(m[1], m[2], m[3]) : null;
}

function validDate(y: string, m: string, d: string): string | null {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth ? `${y}-${m}-${d}` : null;
}

function lookup(metadata: Record<string, unknown>, keys: string[]): string | null {
  const byKey = new Map(Object.entries(metadata).map(([k, v]) => [k.toUpperCase(), v]));
  for (const key of keys) {
    const value = byKey.get(key);
    const date = typeof value === 'string' ? normaliseDate(value) : null;
    if (date) return date;
  }
  return null;
}

/** The first valid calendar date written in a file name (ISO with separators, or 8 digits not inside a longer number). */
export function dateFromFileName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? name;
  for (const m of base.matchAll(/(?<!\d)(\d{4})([-_.]?)(\d{2})\2(\d{2})(?!\d)/g)) {
    const date = validDate(m[1], m[3], m[4]);
    if (date) return date;
  }
  return null;
}

export interface DateEvidence {
  /** Dataset metadata items (GDAL metadata, .aux.xml MDI, PNG text). */
  metadata?: Record<string, unknown>;
  /** The file's path or name. */
  fileName?: string;
  /** TIFF DateTime tag text ("YYYY:MM:DD hh:mm:ss"). */
  fileDateTime?: string | null;
}

/** The acquisition date the evidence supports best, or null. */
export function acquisitionDate(evidence: DateEvidence): string | null {
  const metadata = evidence.metadata ?? {};
  return (
    lookup(metadata, ACQUISITION_KEYS) ??
    (evidence.fileName ? dateFromFileName(evidence.fileName) : null) ??
    lookup(metadata, FILE_TIME_KEYS) ??
    (evidence.fileDateTime ? normaliseDate(evidence.fileDateTime) : null)
  );
}
