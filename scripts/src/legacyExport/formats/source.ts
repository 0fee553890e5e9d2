import type { SourceRecord } from '../fields';

/**
 * One record as a format reader yields it: the parsed record, or why it could not be parsed. `record` is
 * its 1-based position: the CSV data row (header not counted), the JSON-lines line, the array element.
 */
export type SourceItem =
  | { readonly record: number; readonly value: SourceRecord }
  | { readonly record: number; readonly problem: string };
