/**
 * Reading fields out of one source record (a CSV row keyed by its header, or a JSON object) and turning
 * exported text into typed values. Parsers return a value, `undefined` for "empty", or throw FieldError,
 * whose message names the field and the expected form but never the value (it may be a hash).
 */
import type { AccountStatus } from '../../../function/src/legacy';

/** One user as the source holds it: CSV cells by column name, or a parsed JSON object. */
export type SourceRecord = Readonly<Record<string, unknown>>;

export class FieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldError';
  }
}

/**
 * The value at `path`: an exact key first (column names may contain dots), then the same key in any
 * letter case (PostgreSQL exports `email`, SQL Server `Email`), then a dotted path into nested JSON
 * (`attributes.phone.0`).
 */
export function valueAt(record: SourceRecord, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  const folded = keyIgnoringCase(record, path);
  if (folded !== undefined) return record[folded];
  if (!path.includes('.')) return undefined;
  let current: unknown = record;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    const container = current as Record<string, unknown>;
    const key = Object.hasOwn(container, step) ? step : keyIgnoringCase(container, step);
    if (key === undefined) return undefined;
    current = container[key];
  }
  return current;
}

function keyIgnoringCase(record: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return key;
  return undefined;
}

/** True for what exports write for "no value": missing, null, empty text, and SQL tools' literal NULL. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && (value.trim() === '' || value === 'NULL'));
}

/**
 * Text of a scalar cell, trimmed; undefined when empty. A one-element array (Keycloak keeps every
 * attribute as a list) counts as its element.
 */
export function text(value: unknown, field: string): string | undefined {
  const scalar = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (isEmpty(scalar)) return undefined;
  if (typeof scalar === 'string') return scalar.trim();
  if (typeof scalar === 'number' || typeof scalar === 'boolean') return String(scalar);
  throw new FieldError(`${field} must be text, not a JSON ${Array.isArray(scalar) ? 'array' : 'object'}`);
}

const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'n']);

/** true/false, 1/0 (SQL Server bit, MySQL), t/f (PostgreSQL), yes/no; undefined when empty. */
export function boolean(value: unknown, field: string): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const word = text(value, field)?.toLowerCase();
  if (word === undefined) return undefined;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new FieldError(`${field} must be true or false (also accepted: 1/0, t/f, yes/no)`);
}

const STATUSES: readonly AccountStatus[] = ['active', 'disabled', 'locked'];

export function status(value: unknown, field: string): AccountStatus | undefined {
  const word = text(value, field)?.toLowerCase();
  if (word === undefined) return undefined;
  if ((STATUSES as readonly string[]).includes(word)) return word as AccountStatus;
  throw new FieldError(`${field} must be one of ${STATUSES.join(', ')}`);
}

/**
 * A JSON object given as an object (JSON sources) or as JSON text (a CSV cell). The parser's own
 * message is not passed on: V8 quotes the text, which may hold a salt or key.
 */
export function jsonObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (isEmpty(value)) return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new FieldError(`${field} is not valid JSON: it must be a JSON object such as {"algorithm":"firebase-scrypt",...}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FieldError(`${field} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * A date-time as databases export it: ISO 8601 (`2030-01-01T00:00:00Z`), SQL Server `datetimeoffset` text
 * (`2030-01-01 00:00:00.0000000 +00:00`, seven fractional digits) or `datetime2` without an offset (read
 * as UTC, as ASP.NET Identity 2's `LockoutEndDateUtc` is), or Unix epoch milliseconds.
 */
export function dateTime(value: unknown, field: string): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
  const raw = text(value, field);
  if (raw === undefined) return undefined;
  if (/^[0-9]{12,14}$/.test(raw)) return new Date(Number(raw));
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?)?\s*(Z|[+-][0-9]{2}:?[0-9]{2})?$/i.exec(raw);
  if (!match) throw new FieldError(`${field} must be a date-time such as 2030-01-01T00:00:00Z or 2030-01-01 00:00:00.0000000 +00:00`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${offset}`);
  if (Number.isNaN(date.getTime())) throw new FieldError(`${field} is not a valid date-time`);
  return date;
}

/** "Ada Lovelace" from the given name and surname, when there is no display name of its own. */
export function joinName(givenName: string | undefined, surname: string | undefined): string | undefined {
  const name = [givenName, surname].filter(Boolean).join(' ');
  return name === '' ? undefined : name;
}
