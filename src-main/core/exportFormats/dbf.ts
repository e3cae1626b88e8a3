// dBASE III table (.dbf) writer for Shapefile attributes, text in UTF-8 (the .cpg file says so; GDAL, QGIS and
// ArcGIS honour it). Hand-written because the npm writers (dbf 0.2 behind @mapbox/shp-write) write one byte
// per UTF-16 code unit, which garbles "Straße", and do not let us fix widths and decimals per field.
//
// Limits of the format, kept here on purpose: field names at most 10 ASCII characters; text at most 254 bytes
// (cut at a UTF-8 character boundary, never inside a character); numbers as fixed decimal text.

import { ChangeMapError } from '../errors';

/** A column's type and width: C text (bytes), N number (characters, decimals), D date. */
export type DbfFieldSpec =
  { type: 'C'; length: number } | { type: 'N'; length: number; decimals: number } | { type: 'D' };
export type DbfField = DbfFieldSpec & { name: string };

/** A cell: text for C, number for N, "YYYY-MM-DD" (or a Date) for D; null or undefined writes an empty cell. */
export type DbfValue = string | number | Date | null | undefined;

const MAX_TEXT_BYTES = 254;
const utf8 = new TextEncoder();

function fieldLength(field: DbfField): number {
  return field.type === 'D' ? 8 : field.length;
}

function checkFields(fields: readonly DbfField[]): void {
  const seen = new Set<string>();
  for (const field of fields) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,9}$/.test(field.name)) {
      throw new ChangeMapError(
        'DBF_FIELD_NAME',
        `DBF field name "${field.name}" must be 1 to 10 ASCII letters, digits or _.`,
      );
    }
    const key = field.name.toUpperCase();
    if (seen.has(key))
      throw new ChangeMapError('DBF_FIELD_NAME', `DBF field name "${field.name}" is used twice.`);
    seen.add(key);
    const length = fieldLength(field);
    if (length < 1 || length > MAX_TEXT_BYTES) {
      throw new ChangeMapError(
        'DBF_FIELD_WIDTH',
        `DBF field "${field.name}" width ${length} is outside 1..254.`,
      );
    }
    if (field.type === 'N' && (field.decimals < 0 || field.decimals > 15 || field.decimals > length - 2)) {
      throw new ChangeMapError(
        'DBF_FIELD_WIDTH',
        `DBF field "${field.name}" has ${field.decimals} decimals in width ${length}.`,
      );
    }
  }
}

/** The longest prefix of the UTF-8 encoding of text that fits maxBytes and ends on a character boundary. */
export function utf8Prefix(text: string, maxBytes: number): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  // Continuation bytes look like 10xxxxxx: step back to the start of the character that does not fit.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function dateText(value: DbfValue): string | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return value.toISOString().slice(0, 10).replace(/-/g, '');
  }
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    return m ? `${m[1]}${m[2]}${m[3]}` : null;
  }
  return null;
}

function numberText(field: Extract<DbfField, { type: 'N' }>, value: DbfValue): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const text = value.toFixed(field.decimals);
  if (text.length > field.length) {
    throw new ChangeMapError(
      'DBF_VALUE_TOO_WIDE',
      `Value ${value} does not fit DBF field "${field.name}" (${field.length} characters).`,
    );
  }
  return text;
}

function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) target[offset + i] = text.charCodeAt(i);
}

export interface DbfOptions {
  /** Date written in the header as "last update"; default now. */
  updated?: Date;
}

export function encodeDbf(
  fields: readonly DbfField[],
  records: readonly (readonly DbfValue[])[],
  options: DbfOptions = {},
): Uint8Array {
  checkFields(fields);
  const headerLength = 32 + 32 * fields.length + 1;
  const recordLength = 1 + fields.reduce((sum, f) => sum + fieldLength(f), 0);
  const bytes = new Uint8Array(headerLength + recordLength * records.length + 1);
  const view = new DataView(bytes.buffer);
  const updated = options.updated ?? new Date();

  view.setUint8(0, 0x03); // dBASE III without memo
  view.setUint8(1, updated.getUTCFullYear() - 1900);
  view.setUint8(2, updated.getUTCMonth() + 1);
  view.setUint8(3, updated.getUTCDate());
  view.setUint32(4, records.length, true);
  view.setUint16(8, headerLength, true);
  view.setUint16(10, recordLength, true);
  // Byte 29 (language driver) stays 0: the .cpg file declares UTF-8, which no driver id can.

  fields.forEach((field, i) => {
    const o = 32 + i * 32;
    writeAscii(bytes, o, field.name);
    bytes[o + 11] = field.type.charCodeAt(0);
    bytes[o + 16] = fieldLength(field);
    bytes[o + 17] = field.type === 'N' ? field.decimals : 0;
  });
  bytes[headerLength - 1] = 0x0d;

  let o = headerLength;
  for (const record of records) {
    if (record.length !== fields.length) {
      throw new RangeError(`DBF record has ${record.length} values for ${fields.length} fields`);
    }
    bytes.fill(0x20, o, o + recordLength); // not deleted; empty cells are spaces
    let p = o + 1;
    fields.forEach((field, i) => {
      const value = record[i];
      const length = fieldLength(field);
      if (field.type === 'C') {
        if (value !== null && value !== undefined) bytes.set(utf8Prefix(String(value), length), p);
      } else if (field.type === 'N') {
        const text = numberText(field, value);
        if (text !== null) writeAscii(bytes, p + length - text.length, text); // right-aligned
      } else {
        const text = dateText(value);
        if (text !== null) writeAscii(bytes, p, text);
      }
      p += length;
    });
    o += recordLength;
  }
  bytes[o] = 0x1a; // end of file
  return bytes;
}
