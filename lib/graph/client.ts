/**
 * The project's one Microsoft Graph client: JSON over fetch, retries that follow Graph's throttling
 * guidance, paging, `$count`, and `$batch`. It logs nothing; failures are `GraphError`s that name the fix.
 */
import { randomUUID } from 'node:crypto';
import { runBatch } from './batch';
import { GraphError, graphErrorFor, graphNetworkError } from './errors';
import { backoffDelay, isRetryableStatus, parseRetryAfter, REPLICATION_BACKOFF, THROTTLE_BACKOFF } from './retry';
import type { AccessTokenSource } from './token';
import type { BatchRequest, BatchResponse, GraphApiVersion, GraphCollection, HttpMethod } from './types';
import { isHttpsOrLoopbackHttp } from '../net/loopback';

export { GraphError, graphErrorForBatchItem } from './errors';
export { staticToken, tokenFromCredential, graphScopeFor, type AccessTokenSource } from './token';
export { MAX_BATCH_REQUESTS } from './batch';

export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com';

export interface ThrottleInfo {
  retryAfterMs: number;
  status: number;
}

export interface GraphClientOptions {
  /** Default `https://graph.microsoft.com`; national clouds or a loopback emulator. Plain http only for loopback hosts. */
  baseUrl?: string;
  /** Default `v1.0`; a request may override it. */
  apiVersion?: GraphApiVersion;
  token: AccessTokenSource;
  /** Retries of 429 and 5xx (and of network failures of idempotent requests). Default 6. */
  maxRetries?: number;
  /** Retries of a 404 for requests marked `retryNotFound` (reads right after a create). Default 5. */
  notFoundRetries?: number;
  /** Per-attempt timeout. Default 30 s. */
  timeoutMs?: number;
  /** Injectable for fast tests. */
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
  /** Called before waiting out a 429/503, so bulk callers can lower their concurrency. */
  onThrottle?: (info: ThrottleInfo) => void;
}

export interface RequestOptions {
  body?: unknown;
  /** A body that is not JSON (a B2C policy's XML for `PUT trustFramework/policies/{id}/$value`), sent as is. */
  rawBody?: { contentType: string; text: string };
  headers?: Record<string, string>;
  query?: Record<string, string>;
  apiVersion?: GraphApiVersion;
  /** Retry a 404 a bounded number of times: the object was just created and may not have replicated yet. */
  retryNotFound?: boolean;
  /** Ends the request (and its retries) early: a caller with a deadline of its own. */
  signal?: AbortSignal;
}

export interface ListOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  apiVersion?: GraphApiVersion;
}

/** A page of a collection; `nextLink` (absolute) is absent on the last page. */
export interface GraphPage<T> {
  value: T[];
  nextLink?: string;
}

export interface GraphResponse<T> {
  status: number;
  body: T | undefined;
  headers: Headers;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'PUT', 'PATCH', 'DELETE']);

export class GraphClient {
  private readonly base: URL;
  /** The base URL's path without a trailing slash ('' for a bare host). */
  private readonly basePath: string;
  private readonly apiVersion: GraphApiVersion;
  private readonly token: AccessTokenSource;
  private readonly maxRetries: number;
  private readonly notFoundRetries: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly userAgent: string;
  private readonly onThrottle?: (info: ThrottleInfo) => void;

  constructor(options: GraphClientOptions) {
    this.base = parseBaseUrl(options.baseUrl ?? DEFAULT_GRAPH_URL);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    this.apiVersion = options.apiVersion ?? 'v1.0';
    this.token = options.token;
    this.maxRetries = nonNegativeInteger(options.maxRetries ?? 6, 'maxRetries');
    this.notFoundRetries = nonNegativeInteger(options.notFoundRetries ?? 5, 'notFoundRetries');
    this.timeoutMs = nonNegativeInteger(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.userAgent = options.userAgent ?? 'entra-jit-migration';
    this.onThrottle = options.onThrottle;
  }

  /** `path` is relative to the version (`/users/{id}`); ids in it must already be URL-encoded. */
  async request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<GraphResponse<T>> {
    const url = this.urlFor(path, options.apiVersion, options.query);
    return this.send<T>(method, url, path, options);
  }

  async get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return (await this.request<T>('GET', path, options)).body as T;
  }

  async post<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return (await this.request<T>('POST', path, { ...options, body })).body as T;
  }

  async patch(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<void> {
    await this.request('PATCH', path, { ...options, body });
  }

  /** Resolves true when deleted, false when it was already gone and `ignoreNotFound` is set. */
  async delete(path: string, options: { ignoreNotFound?: boolean; apiVersion?: GraphApiVersion; headers?: Record<string, string> } = {}): Promise<boolean> {
    try {
      await this.request('DELETE', path, { apiVersion: options.apiVersion, headers: options.headers });
      return true;
    } catch (error) {
      if (options.ignoreNotFound && error instanceof GraphError && error.status === 404) return false;
      throw error;
    }
  }

  /** Every item of a collection, following `@odata.nextLink` (learn.microsoft.com/graph/paging). */
  async *list<T>(path: string, options: ListOptions = {}): AsyncIterable<T> {
    let page = await this.page<T>(path, options);
    for (;;) {
      yield* page.value;
      if (page.nextLink === undefined) return;
      page = await this.page<T>(path, { ...options, nextLink: page.nextLink });
    }
  }

  /**
   * One page of a collection: the first (`path` with `options.query`), or the one `options.nextLink` names (a
   * link from an earlier page, possibly saved by an earlier process to resume). Callers that checkpoint or
   * guard the paging use this; `list` walks every page.
   */
  async page<T>(path: string, options: ListOptions & { nextLink?: string } = {}): Promise<GraphPage<T>> {
    const url = options.nextLink === undefined ? this.urlFor(path, options.apiVersion, options.query) : this.sameOrigin(options.nextLink, path);
    const { body }: GraphResponse<GraphCollection<T>> = await this.send<GraphCollection<T>>('GET', url, path, { headers: options.headers });
    if (typeof body !== 'object' || body === null || !Array.isArray(body.value)) {
      throw new GraphError(`Graph answered GET ${stripQuery(path)} without a "value" array: is it a collection?`, { status: 200, method: 'GET', path: stripQuery(path) });
    }
    const next: unknown = body['@odata.nextLink'];
    return { value: body.value, nextLink: typeof next === 'string' ? next : undefined };
  }

  /**
   * `GET {path}/$count`, an advanced query: it needs `ConsistencyLevel: eventual`, and the answer is
   * eventually consistent (learn.microsoft.com/graph/aad-advanced-queries).
   */
  async count(path: string, filter?: string): Promise<number> {
    const query = filter === undefined ? undefined : { $filter: filter };
    const { body } = await this.request<unknown>('GET', `${path.replace(/\/$/, '')}/$count`, {
      query,
      headers: { ConsistencyLevel: 'eventual', Accept: 'text/plain' },
    });
    const value = typeof body === 'number' ? body : Number(String(body ?? '').trim());
    if (!Number.isInteger(value) || value < 0) {
      throw new GraphError(`Graph answered GET ${path}/$count with something other than a count`, { status: 200, method: 'GET', path: `${path}/$count` });
    }
    return value;
  }

  /**
   * One `POST /$batch` of at most 20 requests (more throws). Items answered 429/5xx are sent again after their
   * `Retry-After`; the result holds each request's final answer, in request order. Failed items are returned,
   * not thrown: turn one into an error with `graphErrorForBatchItem`.
   */
  batch<T = unknown>(requests: BatchRequest[], options: { apiVersion?: GraphApiVersion } = {}): Promise<BatchResponse<T>[]> {
    const send = async (items: BatchRequest[]): Promise<BatchResponse[]> => {
      const { body } = await this.request<{ responses?: unknown }>('POST', '/$batch', { body: { requests: items }, apiVersion: options.apiVersion });
      return readBatchResponses(body);
    };
    return runBatch(requests, send, { maxRetries: this.maxRetries, sleep: this.sleep, onThrottle: this.onThrottle }) as Promise<BatchResponse<T>[]>;
  }

  private async send<T>(method: HttpMethod, url: string, displayPath: string, options: RequestOptions): Promise<GraphResponse<T>> {
    const clientRequestId = randomUUID();
    const body = options.rawBody?.text ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    let retries = 0;
    let notFoundRetries = 0;
    for (let attempts = 1; ; attempts++) {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'User-Agent': this.userAgent,
        'client-request-id': clientRequestId,
        ...options.headers,
        Authorization: `Bearer ${await this.token.getToken()}`,
      };
      if (body !== undefined) headers['Content-Type'] = options.rawBody?.contentType ?? 'application/json';

      let response: Response;
      try {
        const timeout = AbortSignal.timeout(this.timeoutMs);
        const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
        response = await fetch(url, { method, headers, body, signal, redirect: 'error' });
      } catch (error) {
        // A POST that got no answer may have been applied: retrying could create a duplicate.
        if (IDEMPOTENT.has(method) && retries < this.maxRetries && !options.signal?.aborted) {
          await this.sleep(backoffDelay(retries++, THROTTLE_BACKOFF));
          continue;
        }
        throw graphNetworkError({ method, path: displayPath }, error, this.timeoutMs);
      }
      const responseBody = await readBody(response);
      if (response.ok) return { status: response.status, body: responseBody as T | undefined, headers: response.headers };

      if (isRetryableStatus(response.status) && retries < this.maxRetries) {
        const waitMs = parseRetryAfter(response.headers.get('retry-after')) ?? backoffDelay(retries, THROTTLE_BACKOFF);
        retries++;
        if (response.status === 429 || response.status === 503) this.onThrottle?.({ retryAfterMs: waitMs, status: response.status });
        await this.sleep(waitMs);
        continue;
      }
      if (response.status === 404 && options.retryNotFound && notFoundRetries < this.notFoundRetries) {
        await this.sleep(backoffDelay(notFoundRetries++, REPLICATION_BACKOFF));
        continue;
      }
      throw graphErrorFor(
        { method, path: displayPath, requestBody: options.body },
        { status: response.status, body: responseBody, requestId: response.headers.get('request-id') },
        attempts,
      );
    }
  }

  private urlFor(path: string, apiVersion: GraphApiVersion | undefined, query: Record<string, string> | undefined): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) throw new TypeError(`Graph paths are relative to the API version (like /users), not absolute URLs`);
    const relative = path.startsWith('/') ? path : `/${path}`;
    let url = `${this.base.origin}${this.basePath}/${apiVersion ?? this.apiVersion}${relative}`;
    const pairs = Object.entries(query ?? {}).map(([name, value]) => `${encodeQueryName(name)}=${encodeURIComponent(value)}`);
    if (pairs.length > 0) url += (url.includes('?') ? '&' : '?') + pairs.join('&');
    return url;
  }

  /** The token goes only to the configured Graph host, wherever a nextLink points. */
  private sameOrigin(link: string, displayPath: string): string {
    const next = new URL(link);
    if (next.origin !== this.base.origin) {
      throw new GraphError(`Graph's @odata.nextLink for GET ${stripQuery(displayPath)} points to another host (${next.host}): refusing to send the token there`, {
        status: 200,
        method: 'GET',
        path: stripQuery(displayPath),
      });
    }
    return next.href;
  }
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`the Graph base URL "${raw}" is not a URL: use e.g. https://graph.microsoft.com`);
  }
  if (!isHttpsOrLoopbackHttp(url)) {
    throw new TypeError(`the Graph base URL must use https (plain http only for loopback hosts), got ${url.protocol}//${url.host}`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError('the Graph base URL must not carry a query, fragment or credentials: use e.g. https://graph.microsoft.com');
  }
  return url;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readBatchResponses(body: { responses?: unknown } | undefined): BatchResponse[] {
  if (typeof body !== 'object' || body === null || !Array.isArray(body.responses)) {
    throw new GraphError('Graph answered POST /$batch without a "responses" array', { status: 200, method: 'POST', path: '/$batch' });
  }
  return body.responses.map((item: unknown): BatchResponse => {
    const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const headers = typeof record.headers === 'object' && record.headers !== null ? (record.headers as Record<string, string>) : {};
    return { id: String(record.id ?? ''), status: Number(record.status ?? 0), headers, body: record.body };
  });
}

/** `$filter` stays readable; everything else is percent-encoded. */
function encodeQueryName(name: string): string {
  return encodeURIComponent(name).replace(/^%24/, '$');
}

function stripQuery(path: string): string {
  const at = path.indexOf('?');
  return at === -1 ? path : path.slice(0, at);
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}
