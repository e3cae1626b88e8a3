// RFC 4180 CSV: comma separated, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF (or
// leading/trailing spaces, which some readers trim), quotes doubled inside. An optional UTF-8 byte order mark
// makes Excel read non-ASCII text as UTF-8; GDAL, QGIS and pandas skip it. The .csvt beside it tells GDAL (and
// so QGIS) each column's type; without it every column reads as text.

import { plainNumber } from './numberText';

export type CsvValue = string | number | null | undefined;

function needsQuotes(text: string): boolean {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text);
}

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? plainNumber(value) : value;
  return needsQuotes(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark (U+FEFF). Default true: spreadsheets are the main audience. */
  byteOrderMark?: boolean;
}

export function encodeCsv(
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]>,
  options: CsvOptions = {},
): string {
  const lines: string[] = [header.map(csvField).join(',')];
  for (const row of rows) {
    if (row.length !== header.length) {
      throw new RangeError(`CSV row has ${row.length} fields, the header ${header.length}`);
    }
    lines.push(row.map(csvField).join(','));
  }
  return `${options.byteOrderMark === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}

/**
 * Column types GDAL's CSV driver reads from a .csvt file. A column named "wkt" typed String stays GDAL's default
 * geometry (named "geometry"); typed WKT it would become a second geometry field named "geom_wkt".
 */
export type CsvtType = 'Integer' | 'Real' | 'String' | 'Date';

/** The .csvt file for a CSV with these column types: one line of quoted types, in column order. */
export function encodeCsvt(types: readonly CsvtType[]): string {
  return `${types.map((t) => `"${t}"`).join(',')}\r\n`;
}
