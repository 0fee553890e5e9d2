/**
 * The emulator's request/response model, shared by top-level HTTP requests and `$batch` items, and Graph's
 * error body `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
 * (learn.microsoft.com/graph/errors).
 */
import { randomUUID } from 'node:crypto';

export type Json = Record<string, unknown>;
export type ApiVersion = 'v1.0' | 'beta';

export interface EmulatedRequest {
  method: string;
  /** Decoded path segments after the version, e.g. `['users', '{id}']`. */
  segments: string[];
  query: URLSearchParams;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: unknown;
  /** The body as sent when it is XML (a trust framework policy), which `body` does not parse. */
  text?: string;
  version: ApiVersion;
  /** `http://127.0.0.1:PORT/v1.0`, for nextLinks. */
  serviceRoot: string;
  /** The path as sent (after the version), for nextLinks. */
  rawPath: string;
}

export interface EmulatedResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  /** text/plain body (`$count`). */
  text?: string;
  /** Content-Type of `text` when not text/plain (a policy's `$value` is application/xml). */
  contentType?: string;
}

/** Thrown by handlers; turned into a Graph error response. */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'Request_BadRequest'): EmulatorError => new EmulatorError(400, code, message);
export const notFound = (message: string): EmulatorError => new EmulatorError(404, 'Request_ResourceNotFound', message);

export function errorResponse(error: EmulatorError, clientRequestId: string | undefined): EmulatedResponse {
  const requestId = randomUUID();
  return {
    status: error.status,
    headers: { ...error.headers, 'request-id': requestId },
    body: {
      error: {
        code: error.code,
        message: error.message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId },
      },
    },
  };
}

export const json = (status: number, body: unknown): EmulatedResponse => ({ status, body });
export const noContent = (): EmulatedResponse => ({ status: 204 });

export function asObject(body: unknown, resource: string): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`The request body for ${resource} must be a JSON object.`, 'BadRequest');
  }
  return body as Json;
}
