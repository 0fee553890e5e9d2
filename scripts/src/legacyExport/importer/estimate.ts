/**
 * How many records an export holds, roughly, for the progress bar's percentage and ETA: its line count
 * (a fast byte scan, no parsing) for CSV and JSON lines. Quoted line breaks in CSV make it an estimate;
 * the bar never runs past its total. A single JSON document has no cheap count: undefined.
 */
import { createReadStream } from 'node:fs';
import type { SourceFormat } from '../presets/preset';

export async function estimateRecords(file: string, format: SourceFormat, headerless: boolean): Promise<number | undefined> {
  if (format === 'json-document') return undefined;
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let at = chunk.indexOf(0x0a);
    while (at !== -1) {
      lines++;
      at = chunk.indexOf(0x0a, at + 1);
    }
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  if (last !== 0x0a) lines++; // no newline after the last line
  const header = format === 'csv' && !headerless ? 1 : 0;
  return Math.max(0, lines - header);
}
