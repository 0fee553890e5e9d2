/**
 * Graph failures as errors that say what to fix. A message carries the method, the path (never the query,
 * which may hold sign-in names), Graph's error code and request-id, and Graph's own message with any
 * password from the request blanked out. It never carries the token or the request body.
 * Error shape: learn.microsoft.com/graph/errors.
 */
import type { BatchRequest, BatchResponse, GraphErrorBody } from './types';

export interface GraphErrorDetails {
  status: number;
  method: string;
  /** The request path without its query string. */
  path: string;
  code?: string;
  requestId?: string;
  /** Graph's message, redacted. */
  graphMessage?: string;
  /** How many attempts were made (1 = no retry). */
  attempts?: number;
}

export class GraphError extends Error {
  override readonly name = 'GraphError';
  /** HTTP status; 0 when no response arrived (network failure or timeout). */
  readonly status: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly method: string;
  readonly path: string;
  readonly graphMessage?: string;

  constructor(message: string, details: GraphErrorDetails) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.method = details.method;
    this.path = details.path;
    this.graphMessage = details.graphMessage;
  }
}

/** Builds the error for a failed Graph response. `body` is the parsed response body (not the request's). */
export function graphErrorFor(
  request: { method: string; path: string; requestBody?: unknown },
  response: { status: number; body: unknown; requestId?: string | null },
  attempts = 1,
): GraphError {
  const { code, message, requestId: bodyRequestId } = readErrorBody(response.body);
  const requestId = bodyRequestId ?? response.requestId ?? undefined;
  const path = stripQuery(request.path);
  const graphMessage = message === undefined ? undefined : redact(message, request.requestBody);
  const details: GraphErrorDetails = { status: response.status, method: request.method, path, code, requestId, graphMessage, attempts };
  return new GraphError(`${explain(details)}${suffix(details)}`, details);
}

/** The error for a request that got no response (connection refused, reset, or the per-request timeout). */
export function graphNetworkError(request: { method: string; path: string }, cause: unknown, timeoutMs: number): GraphError {
  const path = stripQuery(request.path);
  // Duck-typed: fetch's DOMException may come from another realm, so `instanceof Error` is unreliable.
  const name = (cause as { name?: unknown } | null)?.name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const what = timedOut ? `timed out after ${timeoutMs} ms` : `failed before Graph answered (${networkReason(cause)})`;
  const unknownOutcome = request.method === 'POST' ? '; the create may or may not have happened: look the object up before retrying' : '';
  const message = `Graph request ${request.method} ${path} ${what}${unknownOutcome}: check the network path to Graph and retry`;
  return new GraphError(message, { status: 0, method: request.method, path });
}

/** A `GraphError` for a failed `$batch` item, so bulk callers report per-item failures the same way. */
export function graphErrorForBatchItem(request: BatchRequest, response: BatchResponse): GraphError {
  return graphErrorFor(
    { method: request.method, path: request.url, requestBody: request.body },
    { status: response.status, body: response.body, requestId: headerValue(response.headers, 'request-id') },
  );
}

function explain(details: GraphErrorDetails): string {
  const { status, method, path, graphMessage } = details;
  const said = graphMessage ? `: ${graphMessage}` : '';
  switch (true) {
    case status === 401:
      return (
        `the Graph token was refused: check the credential's tenant (pass --tenant with the External ID tenant) and ` +
        `that the token is for Microsoft Graph and not expired${said}`
      );
    case status === 403:
      return `the identity lacks a Graph permission for ${method} ${path} (see the README's permission list) or an admin has not consented to it${said}`;
    case status === 404:
      return `Graph found nothing at ${method} ${path}${said}`;
    case status === 429:
      return `Graph kept throttling ${method} ${path} after ${details.attempts ?? 1} attempts: lower the concurrency or try again later${said}`;
    case status >= 500:
      return `Graph kept failing (HTTP ${status}) for ${method} ${path} after ${details.attempts ?? 1} attempts: try again later${said}`;
    default:
      return `Graph refused ${method} ${path} (HTTP ${status})${said}`;
  }
}

function suffix({ code, requestId }: GraphErrorDetails): string {
  const parts = [code ? `code ${code}` : undefined, requestId ? `request-id ${requestId}` : undefined].filter(Boolean);
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

function readErrorBody(body: unknown): { code?: string; message?: string; requestId?: string } {
  if (typeof body !== 'object' || body === null || !('error' in body)) {
    return typeof body === 'string' && body.trim() !== '' ? { message: truncate(body.trim()) } : {};
  }
  const error = (body as Partial<GraphErrorBody>).error;
  if (typeof error !== 'object' || error === null) return {};
  const inner = typeof error.innerError === 'object' && error.innerError !== null ? error.innerError : undefined;
  return {
    code: typeof error.code === 'string' && error.code !== '' ? error.code : undefined,
    message: typeof error.message === 'string' && error.message !== '' ? truncate(error.message) : undefined,
    requestId: typeof inner?.['request-id'] === 'string' ? inner['request-id'] : undefined,
  };
}

/** Blanks every string the request sent under a password-like key (and a JWK's `k`), in case Graph ever echoes one back. */
function redact(message: string, requestBody: unknown): string {
  let redacted = message;
  for (const secret of secretsIn(requestBody)) redacted = redacted.split(secret).join('[redacted]');
  return redacted;
}

function secretsIn(value: unknown, underSecretKey = false, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (underSecretKey && value.length > 0) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) secretsIn(item, underSecretKey, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) secretsIn(item, underSecretKey || /password|secret|key$|^k$/i.test(key), found);
  }
  return found;
}

function stripQuery(path: string): string {
  const at = path.indexOf('?');
  return at === -1 ? path : path.slice(0, at);
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function networkReason(cause: unknown): string {
  const error = cause as { message?: unknown; cause?: { code?: unknown } } | null;
  const code = error?.cause?.code;
  if (typeof code === 'string') return code;
  return typeof error?.message === 'string' ? error.message : 'unknown error';
}

export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
