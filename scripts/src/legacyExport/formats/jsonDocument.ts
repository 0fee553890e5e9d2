/**
 * Streams the records of one large JSON document without holding it in memory: the elements of the
 * top-level object's user array (`{"users":[…]}`: Firebase auth:export, Keycloak realm and `-users-N`
 * exports) or of a top-level array. A small scanner tracks strings and nesting to find where each element
 * starts and ends; each element is then parsed on its own with JSON.parse, which also validates it.
 * Memory holds one element at a time, so a 500,000-user export reads like a JSON-lines file.
 *
 * Between elements only the nesting is checked (a truncated file is caught, stray text is not).
 */
import { createReadStream } from 'node:fs';
import { errorCode, ExportReadError } from '../errors';
import type { SourceItem } from './source';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Text being collected across chunks: finished parts plus where it starts in the current chunk. */
interface Capture {
  parts: string[];
  start: number;
}

interface ScannerEvents {
  element(text: string | undefined): void;
  member(key: string, text: string): void;
}

/** The state machine; `feed` takes consecutive chunks of the document. */
class JsonScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private root: 'object' | 'array' | undefined;
  private expectKey = false;
  private currentKey: string | undefined;
  private key: Capture | undefined;
  /** Depth at which elements of the record array sit, while inside it. */
  private arrayDepth: number | undefined;
  private element: (Capture & { readonly isObject: boolean }) | undefined;
  private member: (Capture & { readonly name: string }) | undefined;
  foundArray = false;

  constructor(
    private readonly arrayKey: string | undefined,
    private readonly memberKeys: ReadonlySet<string>,
    private readonly on: ScannerEvents,
  ) {}

  feed(chunk: string): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.key) this.finishKey(chunk, i);
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      this.structural(c, chunk, i);
    }
    // Carry unfinished captures over to the next chunk.
    for (const capture of [this.key, this.element, this.member]) {
      if (!capture) continue;
      capture.parts.push(chunk.slice(capture.start));
      capture.start = 0;
    }
  }

  private structural(c: number, chunk: string, i: number): void {
    const atElementLevel = this.arrayDepth !== undefined && this.depth === this.arrayDepth;
    if (c === QUOTE) {
      this.inString = true;
      if (this.root === 'object' && this.depth === 1 && this.expectKey) this.key = { parts: [], start: i + 1 };
      else if (atElementLevel && !this.element) this.element = { parts: [], start: i, isObject: false };
      return;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (this.depth === 0) {
        if (this.root !== undefined) throw new ExportReadError('the file holds more than one JSON document');
        this.root = c === OPEN_OBJECT ? 'object' : 'array';
        this.expectKey = this.root === 'object';
        if (this.root === 'array' && this.arrayKey !== undefined) this.enterArray(1);
      } else if (this.root === 'object' && this.depth === 1 && !this.expectKey) {
        if (c === OPEN_ARRAY && this.arrayKey !== undefined && this.currentKey === this.arrayKey && !this.foundArray) this.enterArray(2);
        else if (this.currentKey !== undefined && this.memberKeys.has(this.currentKey) && !this.member) this.member = { parts: [], start: i, name: this.currentKey };
      } else if (atElementLevel && !this.element) {
        this.element = { parts: [], start: i, isObject: c === OPEN_OBJECT };
      }
      this.depth++;
      return;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (this.depth === 0) throw new ExportReadError('the JSON has a closing bracket without an opening one');
      if (atElementLevel && this.element) this.finishElement(chunk, i); // a bare value right before `]`
      this.depth--;
      if (this.element && this.arrayDepth !== undefined && this.depth === this.arrayDepth) this.finishElement(chunk, i + 1);
      else if (this.member && this.depth === 1) this.finishMember(chunk, i + 1);
      if (this.arrayDepth !== undefined && this.depth < this.arrayDepth) this.arrayDepth = undefined;
      return;
    }
    if (c === COMMA) {
      if (atElementLevel && this.element) this.finishElement(chunk, i);
      else if (this.root === 'object' && this.depth === 1) this.expectKey = true;
      return;
    }
    if (c === COLON) {
      if (this.root === 'object' && this.depth === 1) this.expectKey = false;
      return;
    }
    // The first character of a number, true, false or null.
    if (atElementLevel && !this.element) this.element = { parts: [], start: i, isObject: false };
    else if (this.depth === 0) throw new ExportReadError('the file does not start with a JSON object or array');
  }

  private enterArray(depthOfElements: number): void {
    this.arrayDepth = depthOfElements;
    this.foundArray = true;
  }

  private finishKey(chunk: string, quoteAt: number): void {
    const capture = this.key!;
    this.key = undefined;
    const raw = capture.parts.join('') + chunk.slice(capture.start, quoteAt);
    try {
      this.currentKey = JSON.parse(`"${raw}"`) as string;
    } catch {
      this.currentKey = undefined;
    }
  }

  private finishElement(chunk: string, end: number): void {
    const capture = this.element!;
    this.element = undefined;
    this.on.element(capture.isObject ? capture.parts.join('') + chunk.slice(capture.start, end) : undefined);
  }

  private finishMember(chunk: string, end: number): void {
    const capture = this.member!;
    this.member = undefined;
    this.on.member(capture.name, capture.parts.join('') + chunk.slice(capture.start, end));
  }

  /** Throws when the document stopped part-way. */
  end(): void {
    if (this.root === undefined) throw new ExportReadError('the file holds no JSON document');
    if (this.depth !== 0 || this.inString) throw new ExportReadError('the JSON document ends early (is the file truncated? export it again)');
  }
}

export interface JsonDocumentOptions {
  /** Member of the top-level object that holds the records (a top-level array is read as it is). */
  readonly arrayKey: string;
  /** Read size in characters (default 1 MiB); tests use tiny chunks to cross every boundary. */
  readonly chunkSize?: number;
}

export async function* readJsonDocument(file: string, options: JsonDocumentOptions): AsyncGenerator<SourceItem> {
  let record = 0;
  const pending: SourceItem[] = [];
  const scanner = new JsonScanner(options.arrayKey, new Set(), {
    element(text) {
      record++;
      pending.push(text === undefined ? { record, problem: 'malformed record: the array element is not a JSON object' } : parseElement(text, record));
    },
    member() {},
  });
  for await (const chunk of chunks(file, options.chunkSize)) {
    feed(scanner, chunk, file);
    yield* pending.splice(0);
  }
  finish(scanner, file);
  if (!scanner.foundArray) {
    throw new ExportReadError(
      `${file} has no top-level "${options.arrayKey}" array: use Firebase's auth:export JSON, a Keycloak realm export with users (kc.sh export --realm R --users realm_file) or its R-users-N.json files, or JSON lines`,
    );
  }
}

/**
 * The first of `keys` found among the top-level object's members (e.g. a `hash_config` block), parsed,
 * or undefined. Stops reading once found; the record array is skipped without being parsed.
 */
export async function readTopLevelMember(file: string, keys: readonly string[]): Promise<unknown> {
  let found: { value: unknown } | undefined;
  const scanner = new JsonScanner(undefined, new Set(keys), {
    element() {},
    member(_key, text) {
      try {
        found ??= { value: JSON.parse(text) as unknown };
      } catch {
        throw new ExportReadError(`${file}: the "${_key}" block is not valid JSON`);
      }
    },
  });
  for await (const chunk of chunks(file)) {
    feed(scanner, chunk, file);
    if (found) return found.value;
  }
  return undefined;
}

function parseElement(text: string, record: number): SourceItem {
  try {
    return { record, value: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { record, problem: 'malformed record: the element is not valid JSON' };
  }
}

async function* chunks(file: string, chunkSize = 1024 * 1024): AsyncGenerator<string> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: chunkSize });
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      yield first ? chunk.replace(/^\uFEFF/, '') : chunk;
      first = false;
    }
  } catch (error) {
    throw new ExportReadError(`${file} could not be read (${errorCode(error)}): check the --input path and its permissions`);
  } finally {
    stream.destroy();
  }
}

function feed(scanner: JsonScanner, chunk: string, file: string): void {
  try {
    scanner.feed(chunk);
  } catch (error) {
    if (error instanceof ExportReadError) throw new ExportReadError(`${file}: ${error.message}`);
    throw error;
  }
}

function finish(scanner: JsonScanner, file: string): void {
  try {
    scanner.end();
  } catch (error) {
    if (error instanceof ExportReadError) throw new ExportReadError(`${file}: ${error.message}`);
    throw error;
  }
}
