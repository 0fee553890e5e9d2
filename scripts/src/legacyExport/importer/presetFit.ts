/**
 * The likely cause when most records are refused for one reason: a column the preset needs is not in the
 * export (the wrong --preset, or a column to name with --map), and which presets' columns the file has. Reads
 * only the first records again; the cause names columns the presets look for, never the file's own header or
 * values (a header-less file's "header" is its first user).
 */
import { valueAt, type SourceRecord } from '../fields';
import { detectFormat } from '../formats/detect';
import { PRESET_NAMES, PRESETS } from '../presets';
import type { Preset, SourceFormat } from '../presets/preset';
import { parseMapping, sourceItems } from '../reader';
import type { PresetName, ReadExportOptions } from '../types';

/** Enough records to see optional JSON members (a Keycloak user without credentials) without reading on. */
const SAMPLE_ITEMS = 100;

export interface MissingField {
  /** The preset's field, e.g. "hash". */
  readonly target: string;
  /** Where the preset (or --map) looks for it; none of these is in the file. */
  readonly sources: readonly string[];
}

export interface PresetFit {
  readonly format: SourceFormat;
  /** Required fields of the chosen preset, after --map, that the sampled records lack. */
  readonly missing: readonly MissingField[];
  /** Other presets that read the file's format and find all their required fields in it. */
  readonly fitting: readonly PresetName[];
}

/** Undefined when the file yields no record to look at (or cannot be read again). */
export async function checkPresetFit(file: string, options: ReadExportOptions): Promise<PresetFit | undefined> {
  try {
    const detected = await detectFormat(file);
    const preset = PRESETS[options.preset];
    const records: SourceRecord[] = [];
    let items = 0;
    for await (const item of sourceItems(file, detected, preset)) {
      if ('value' in item) records.push(item.value);
      if (++items >= SAMPLE_ITEMS) break;
    }
    if (records.length === 0) return undefined;
    const missing = missingFields(preset, records, parseMapping(preset, options.mapping ?? {}));
    const fitting = PRESET_NAMES.filter(
      (name) => name !== preset.name && PRESETS[name].formats.includes(detected.format) && missingFields(PRESETS[name], records, new Map()).length === 0,
    );
    return { format: detected.format, missing, fitting };
  } catch {
    // Only a hint for a failure already reported: a file that cannot be read twice gives no hint.
    return undefined;
  }
}

function missingFields(preset: Preset, records: readonly SourceRecord[], mapping: ReadonlyMap<string, readonly string[]>): MissingField[] {
  return preset.requiredFields
    .map((target) => ({ target, sources: mapping.get(target) ?? preset.fields[target] ?? [] }))
    .filter(({ sources }) => !sources.some((source) => records.some((record) => valueAt(record, source) !== undefined)));
}

/** The likely cause in words, or undefined when the file has every column the preset needs. */
export function describePresetFit(fit: PresetFit, file: string, preset: PresetName): string | undefined {
  if (fit.missing.length === 0) return undefined;
  const noun = fit.format === 'csv' ? 'column' : 'field';
  const columns = fit.missing
    .map(({ target, sources }) => {
      const names = sources.map((source) => `"${source}"`).join(' or ');
      return sources.length === 1 && sources[0]?.toLowerCase() === target.toLowerCase() ? names : `${names} (${target})`;
    })
    .join(' and ');
  const lacks = `${file} has no ${noun} ${columns} for the ${preset} preset`;
  if (fit.fitting.length > 0) {
    const presets = fit.fitting.join(' or ');
    return `${lacks}; its ${noun}s are those of the ${presets} preset: run again with --preset ${fit.fitting[0]}`;
  }
  const first = fit.missing[0] as MissingField;
  return `${lacks}, and no other preset fits it: name the ${noun} with --map ${first.target}=<${noun}>, or export the users again`;
}
