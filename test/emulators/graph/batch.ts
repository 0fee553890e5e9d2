/**
 * `POST /$batch` (learn.microsoft.com/graph/json-batching): at most 20 items with unique ids (ignoring case),
 * a Content-Type on every item with a body, `dependsOn` naming earlier items; a malformed batch is a 400 for
 * the whole batch, a failed dependency a 424 for the item. Each item goes through the same pipeline as a
 * top-level request (permissions, throttle, faults). Responses come back in reverse order, so a client that
 * assumes request order fails its tests.
 */
import { contentTypeOf, lowerCaseHeaders, splitPath } from './http';
import { asObject, badRequest, EmulatorError, errorResponse, json, type EmulatedRequest, type EmulatedResponse, type Json } from './protocol';
import { isObject } from './shapes';

const MAX_BATCH = 20;
const BATCH_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

export type Execute = (request: EmulatedRequest) => Promise<EmulatedResponse>;

export async function handleBatch(envelope: EmulatedRequest, execute: Execute): Promise<EmulatedResponse> {
  try {
    if (envelope.method !== 'POST') throw new EmulatorError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    const items = readBatchItems(asObject(envelope.body, 'the $batch request'));
    const responses: Json[] = [];
    const failed = new Set<string>();
    for (const item of items) {
      const response = item.dependsOn.some((dependency) => failed.has(dependency.toLowerCase()))
        ? errorResponse(new EmulatorError(424, 'FailedDependency', 'The request depends on a request that failed.'), item.headers['client-request-id'])
        : await executeItem(envelope, item, execute);
      if (response.status >= 400) failed.add(item.id.toLowerCase());
      responses.push({ id: item.id, status: response.status, headers: { ...response.headers, ...contentTypeOf(response) }, body: response.body ?? response.text });
    }
    return json(200, { responses: responses.reverse() });
  } catch (error) {
    if (error instanceof EmulatorError) return errorResponse(error, envelope.headers['client-request-id']);
    throw error;
  }
}

function executeItem(envelope: EmulatedRequest, item: BatchItem, execute: Execute): Promise<EmulatedResponse> {
  const fail = (error: EmulatorError) => Promise.resolve(errorResponse(error, item.headers['client-request-id']));
  // Item URLs are relative to the version: "/users", not "https://…/v1.0/users" or "/v1.0/users".
  if (/^[a-z][a-z0-9+.-]*:/i.test(item.url)) return fail(badRequest('Batch request URLs must be relative to the API version, like /users.', 'BadRequest'));
  const url = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, 'http://batch.invalid');
  const segments = splitPath(url.pathname);
  if (/^(v1\.0|beta)$/i.test(segments[0] ?? '')) return fail(badRequest(`Resource not found for the segment '${segments[0]}'.`, 'BadRequest'));
  if (segments[0] === '$batch') return fail(badRequest('A $batch request cannot contain another $batch.', 'BadRequest'));
  if (item.body !== undefined && (typeof item.body !== 'object' || item.body === null)) {
    return fail(badRequest('Unable to read JSON request payload: a JSON batch item body must be a JSON object, not a string.', 'BadRequest'));
  }
  return execute({
    method: item.method,
    segments,
    query: url.searchParams,
    headers: item.headers,
    body: item.body,
    version: envelope.version,
    serviceRoot: envelope.serviceRoot,
    rawPath: url.pathname,
  });
}

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

/** Batch-level shape errors fail the whole batch with 400 (json-batching: "If the batch request itself is malformed"). */
function readBatchItems(body: Json): BatchItem[] {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) throw badRequest('Invalid batch payload format: "requests" must be a non-empty array.', 'BadRequest');
  if (requests.length > MAX_BATCH) throw badRequest(`Invalid batch payload format: a batch holds at most ${MAX_BATCH} requests, got ${requests.length}.`, 'BadRequest');
  const seen = new Set<string>();
  return requests.map((raw: unknown): BatchItem => {
    if (!isObject(raw)) throw badRequest('Invalid batch payload format: each request must be an object.', 'BadRequest');
    const { id, method, url, headers, body: itemBody, dependsOn } = raw;
    if (typeof id !== 'string' || id === '') throw badRequest('Invalid batch payload format: each request needs a string "id".', 'BadRequest');
    if (seen.has(id.toLowerCase())) throw badRequest(`Invalid batch payload format: duplicate request id '${id}'.`, 'BadRequest');
    if (typeof method !== 'string' || !BATCH_METHODS.includes(method.toUpperCase())) throw badRequest(`Invalid batch payload format: request '${id}' has no valid "method".`, 'BadRequest');
    if (typeof url !== 'string' || url === '') throw badRequest(`Invalid batch payload format: request '${id}' has no "url".`, 'BadRequest');
    if (headers !== undefined && (!isObject(headers) || Object.values(headers).some((value) => typeof value !== 'string'))) {
      throw badRequest(`Invalid batch payload format: the headers of request '${id}' must be an object of strings.`, 'BadRequest');
    }
    const itemHeaders = lowerCaseHeaders((headers ?? {}) as Record<string, string>);
    if (itemBody !== undefined && itemHeaders['content-type'] === undefined) {
      throw badRequest(`Invalid batch payload format: request '${id}' has a body but no Content-Type header.`, 'BadRequest');
    }
    if (dependsOn !== undefined && (!Array.isArray(dependsOn) || dependsOn.some((dependency) => typeof dependency !== 'string' || !seen.has(dependency.toLowerCase())))) {
      throw badRequest(`Invalid batch payload format: request '${id}' depends on a request that is not earlier in the batch.`, 'BadRequest');
    }
    seen.add(id.toLowerCase());
    return { id, method: method.toUpperCase(), url, headers: itemHeaders, body: itemBody, dependsOn: (dependsOn ?? []) as string[] };
  });
}
