/**
 * Reads a legacy identity system's user export as a stream of users (`ExportRow`s), the one input both
 * `import-legacy` and `provision-users` build on. The format is detected from the extension and first
 * bytes; the preset maps the source's fields; what all presets share happens here: `--map` overrides,
 * username normalization and validation, and rejecting the second of two users with the same name.
 *
 * Memory stays flat: CSV and JSON lines are streamed row by row, and whole-document JSON (Firebase
 * `{"users":[…]}`, Keycloak realm exports) is streamed element by element (formats/jsonDocument.ts). To
 * find duplicates, each username goes to a temporary file and only its 64-bit hash and position stay in
 * memory (scale/firstRecordIndex.ts: 12 bytes a slot, a hash match confirmed against the name).
 *
 * Rejected rows are yielded as `{ ok: false }` with a reason that starts with a short category
 * ("duplicate username: …") and says what to fix; reasons never contain a hash or a password.
 */
import { isValidUsername, MAX_USERNAME_LENGTH, normalizeUsername } from '../../../function/src/legacy';
import { FirstRecordIndex } from '../scale/firstRecordIndex';
import { ExportOptionsError, ExportReadError } from './errors';
import { boolean, FieldError, isEmpty, jsonObject, status, text, valueAt, type SourceRecord } from './fields';
import { readCsv } from './formats/csv';
import { detectFormat, type DetectedFormat } from './formats/detect';
import { readJsonDocument, readTopLevelMember } from './formats/jsonDocument';
import { readJsonLines } from './formats/jsonLines';
import { estimateRecords } from './importer/estimate';
import type { SourceItem } from './formats/source';
import { parseFirebaseHashConfig } from './presets/firebase';
import { isPresetName, PRESETS } from './presets';
import { ATTRIBUTE_PREFIX, COMMON_TARGETS, type FieldReader, type FirebaseHashConfig, type Preset, type PresetContext, type PresetUser } from './presets/preset';
import type { ExportedUser, ExportRow, ProfileAttributes, ReadExportOptions } from './types';

export { ExportOptionsError, ExportReadError } from './errors';

/** Why a user came without a hash (ExportedUser has no field for it; the importer reports it). */
const noHashReasons = new WeakMap<ExportedUser, string>();

/** For a user without `hash`: why the export has none and what to do about it. */
export function missingHashReason(user: ExportedUser): string | undefined {
  return user.hash === undefined ? (noHashReasons.get(user) ?? 'missing hash: the export has no password hash for this user') : undefined;
}

/**
 * Streams the users of `file`. Throws ExportOptionsError at once for options that cannot work (unknown
 * preset or --map target); ExportReadError while iterating when the file cannot be read as an export.
 */
export function readLegacyExport(file: string, options: ReadExportOptions): AsyncIterable<ExportRow> {
  if (!isPresetName(options.preset)) throw new ExportOptionsError(`unknown preset "${String(options.preset)}": use one of ${Object.keys(PRESETS).join(', ')}`);
  const preset = PRESETS[options.preset];
  const mapping = parseMapping(preset, options.mapping ?? {});
  const firebaseHashConfig = options.firebaseHashConfig ? checkedFirebaseConfig(options.firebaseHashConfig) : undefined;
  return readRows(file, preset, mapping, firebaseHashConfig);
}

/** The format the reader will use for `file` (for progress estimates and messages). */
export async function exportFormat(file: string): Promise<DetectedFormat> {
  return detectFormat(file);
}

async function* readRows(
  file: string,
  preset: Preset,
  mapping: ReadonlyMap<string, readonly string[]>,
  firebaseHashConfig: FirebaseHashConfig | undefined,
): AsyncGenerator<ExportRow> {
  const detected = await detectFormat(file);
  if (!preset.formats.includes(detected.format)) {
    throw new ExportOptionsError(`the ${preset.name} preset reads ${preset.formats.join(' or ')}, but ${file} looks like ${detected.format}: check --input and --preset`);
  }
  const context: PresetContext = {
    now: new Date(),
    firebaseHashConfig: firebaseHashConfig ?? (preset.name === 'firebase' && detected.format === 'json-document' ? await embeddedFirebaseConfig(file) : undefined),
  };
  const firstRecords = new FirstRecordIndex({ expectedNames: await estimateRecords(file, detected.format, preset.headerlessCsvColumns !== undefined) });
  try {
    for await (const item of sourceItems(file, detected, preset)) {
      yield toRow(item, preset, mapping, context, firstRecords);
    }
  } finally {
    firstRecords.close();
  }
}

export function sourceItems(file: string, detected: DetectedFormat, preset: Preset): AsyncIterable<SourceItem> {
  switch (detected.format) {
    case 'csv':
      return readCsv(file, { delimiter: detected.delimiter ?? ',', headerlessColumns: preset.headerlessCsvColumns });
    case 'json-lines':
      return readJsonLines(file);
    case 'json-document':
      return readJsonDocument(file, { arrayKey: 'users' });
  }
}

function toRow(
  item: SourceItem,
  preset: Preset,
  mapping: ReadonlyMap<string, readonly string[]>,
  context: PresetContext,
  firstRecords: FirstRecordIndex,
): ExportRow {
  const { record } = item;
  if ('problem' in item) return { ok: false, record, reason: item.problem };
  const read = fieldReader(item.value, preset, mapping);

  let user: PresetUser;
  let attributes: ProfileAttributes;
  try {
    const outcome = preset.convert(read, context);
    if (!outcome.ok) return { ok: false, record, reason: outcome.reason };
    user = withOverrides(outcome.user, read, mapping);
    attributes = readAttributes(read, mapping);
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, record, reason: `invalid field: ${error.message}` };
    throw error;
  }

  if (user.username === undefined) return { ok: false, record, reason: `missing username: ${preset.usernameHint}` };
  const username = normalizeUsername(user.username);
  if (!isValidUsername(username)) {
    return { ok: false, record, reason: `invalid username: after normalization it must be 1-${MAX_USERNAME_LENGTH} characters without control characters` };
  }
  const first = firstRecords.claim(username, record);
  if (first !== undefined) {
    return {
      ok: false,
      record,
      username,
      reason: `duplicate username: record ${first} has the same username after normalization (trimmed, NFKC, e-mail addresses lower-cased); record ${first} was kept, merge the two accounts or remove this one`,
    };
  }

  const exported: ExportedUser = {
    record,
    username,
    ...optional('email', user.email),
    ...optional('displayName', user.displayName),
    ...optional('givenName', user.givenName),
    ...optional('surname', user.surname),
    ...optional('hash', user.hash),
    ...optional('params', user.hash === undefined ? undefined : user.params),
    status: user.status,
    mustChangePassword: user.mustChangePassword,
    attributes,
    ...optional('b2c', user.b2c),
  };
  if (user.hash === undefined && user.noHashReason) noHashReasons.set(exported, user.noHashReason);
  return { ok: true, user: exported };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** First non-empty value among the target's sources: the user's --map, else the preset's defaults. */
function fieldReader(record: SourceRecord, preset: Preset, mapping: ReadonlyMap<string, readonly string[]>): FieldReader {
  return (target) => {
    for (const source of mapping.get(target) ?? preset.fields[target] ?? []) {
      const value = valueAt(record, source);
      if (!isEmpty(value)) return value;
    }
    return undefined;
  };
}

/** An explicit --map of a common field wins over what the preset derived. */
function withOverrides(user: PresetUser, read: FieldReader, mapping: ReadonlyMap<string, readonly string[]>): PresetUser {
  let result: PresetUser = user;
  for (const target of COMMON_TARGETS) {
    if (!mapping.has(target)) continue;
    const value = read(target);
    switch (target) {
      case 'hash': {
        const hash = text(value, 'hash');
        result = { ...result, hash, noHashReason: hash ? undefined : `missing hash: the mapped column (--map hash=${mapping.get('hash')?.join('|')}) is empty` };
        break;
      }
      case 'params':
        result = { ...result, params: jsonObject(value, 'params') };
        break;
      case 'status':
        result = { ...result, status: status(value, 'status') ?? 'active' };
        break;
      case 'mustChangePassword':
        result = { ...result, mustChangePassword: boolean(value, 'mustChangePassword') ?? false };
        break;
      default:
        result = { ...result, [target]: text(value, target) };
    }
  }
  return result;
}

function readAttributes(read: FieldReader, mapping: ReadonlyMap<string, readonly string[]>): ProfileAttributes {
  const attributes: Record<string, string | number | boolean> = {};
  for (const target of mapping.keys()) {
    if (!target.startsWith(ATTRIBUTE_PREFIX)) continue;
    const value = read(target);
    const scalar = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
    if (typeof scalar === 'number' || typeof scalar === 'boolean') attributes[target.slice(ATTRIBUTE_PREFIX.length)] = scalar;
    else {
      const t = text(scalar, target);
      if (t !== undefined) attributes[target.slice(ATTRIBUTE_PREFIX.length)] = t;
    }
  }
  return attributes;
}

/** `--map target=source[|fallback…]`, checked against what the preset knows. */
export function parseMapping(preset: Preset, mapping: Readonly<Record<string, string>>): Map<string, readonly string[]> {
  const known = new Set<string>([...COMMON_TARGETS, ...Object.keys(preset.fields)]);
  const parsed = new Map<string, readonly string[]>();
  for (const [target, source] of Object.entries(mapping)) {
    const isAttribute = target.startsWith(ATTRIBUTE_PREFIX) && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(target.slice(ATTRIBUTE_PREFIX.length));
    if (!known.has(target) && !isAttribute) {
      throw new ExportOptionsError(`--map ${target}=…: unknown target for the ${preset.name} preset; use one of ${[...known].join(', ')}, or attributes.<graphProperty>`);
    }
    const sources = source.split('|').map((s) => s.trim()).filter(Boolean);
    if (sources.length === 0) throw new ExportOptionsError(`--map ${target}= needs a source column or JSON path, e.g. --map ${target}=Column`);
    parsed.set(target, sources);
  }
  return parsed;
}

function checkedFirebaseConfig(config: FirebaseHashConfig): FirebaseHashConfig {
  try {
    return parseFirebaseHashConfig(config, 'the Firebase hash parameters');
  } catch (error) {
    if (error instanceof FieldError) throw new ExportOptionsError(error.message);
    throw error;
  }
}

/** A `hash_config` block some exports carry (the console's names); Firebase's own auth:export has none. */
async function embeddedFirebaseConfig(file: string): Promise<FirebaseHashConfig | undefined> {
  const block = await readTopLevelMember(file, ['hash_config', 'hashConfig']);
  if (block === undefined) return undefined;
  try {
    return parseFirebaseHashConfig(block, `${file}: hash_config`);
  } catch (error) {
    if (error instanceof FieldError) throw new ExportReadError(`${error.message}, or pass the --firebase-* flags instead`);
    throw error;
  }
}

/** True when the export carries Firebase hash parameters of its own (so the CLI flags are optional). */
export async function hasEmbeddedFirebaseConfig(file: string): Promise<boolean> {
  const detected = await detectFormat(file);
  return detected.format === 'json-document' && (await embeddedFirebaseConfig(file)) !== undefined;
}
