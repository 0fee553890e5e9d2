/**
 * JSON batching (learn.microsoft.com/graph/json-batching): at most 20 requests per `POST /$batch`, each
 * evaluated (and throttled) on its own, answered in any order, correlated by `id`. A request that depends
 * on a failed one answers 424. Items that came back 429 or 5xx are sent again, in a smaller batch, after
 * the longest `Retry-After` among them; the caller gets one final answer per request, in request order.
 */
import { headerValue } from './errors';
import { backoffDelay, isRetryableStatus, parseRetryAfter, THROTTLE_BACKOFF, type BackoffOptions } from './retry';
import type { BatchRequest, BatchResponse } from './types';

export const MAX_BATCH_REQUESTS = 20;

export interface BatchRetryPolicy {
  maxRetries: number;
  sleep: (ms: number) => Promise<void>;
  onThrottle?: (info: { retryAfterMs: number; status: number }) => void;
  backoff?: BackoffOptions;
}

/** Sends one `$batch` envelope (the envelope's own 429/5xx are retried by the sender). */
export type SendBatch = (requests: BatchRequest[]) => Promise<BatchResponse[]>;

export async function runBatch(requests: BatchRequest[], send: SendBatch, policy: BatchRetryPolicy): Promise<BatchResponse[]> {
  const prepared = requests.map(prepareRequest);
  assertBatchable(prepared);
  if (prepared.length === 0) return [];

  const final = new Map<string, BatchResponse>();
  let pending = prepared;
  for (let round = 0; ; round++) {
    const pendingIds = new Set(pending.map((request) => key(request.id)));
    const responses = await send(pending.map((request) => withDependenciesAmong(request, pendingIds)));
    const byId = new Map(responses.map((response) => [key(response.id), response]));

    const retry = new Set<string>();
    let waitMs = 0;
    let throttleStatus: number | undefined;
    for (const request of pending) {
      const response = byId.get(key(request.id)) ?? missingResponse(request.id);
      if (isRetryableStatus(response.status) && round < policy.maxRetries) {
        retry.add(key(request.id));
        const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'));
        waitMs = Math.max(waitMs, retryAfter ?? backoffDelay(round, policy.backoff ?? THROTTLE_BACKOFF));
        if (response.status === 429 || throttleStatus === undefined) throttleStatus = response.status;
      } else {
        final.set(key(request.id), response);
      }
    }
    failedOnlyBecauseOfRetried(pending, final, retry);
    if (retry.size === 0) break;

    policy.onThrottle?.({ retryAfterMs: waitMs, status: throttleStatus ?? 503 });
    await policy.sleep(waitMs);
    pending = pending.filter((request) => retry.has(key(request.id)));
  }
  return prepared.map((request) => final.get(key(request.id)) ?? missingResponse(request.id));
}

/** Graph requires `Content-Type` on every item that has a body (json-batching "headers" row). */
function prepareRequest(request: BatchRequest): BatchRequest {
  if (request.body === undefined || headerValue(request.headers, 'content-type') !== undefined) return request;
  return { ...request, headers: { ...request.headers, 'Content-Type': 'application/json' } };
}

function assertBatchable(requests: BatchRequest[]): void {
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw new RangeError(`a Graph $batch takes at most ${MAX_BATCH_REQUESTS} requests, got ${requests.length}: split them into chunks of ${MAX_BATCH_REQUESTS}`);
  }
  const ids = new Set<string>();
  for (const request of requests) {
    if (typeof request.id !== 'string' || request.id === '') throw new TypeError('every $batch request needs a non-empty string id');
    if (ids.has(key(request.id))) throw new TypeError(`$batch request ids must be unique (ids are case-insensitive): "${request.id}" repeats`);
    ids.add(key(request.id));
    if (/^[a-z][a-z0-9+.-]*:/i.test(request.url) || /^\/?(v1\.0|beta)\//i.test(request.url)) {
      throw new TypeError(`$batch request "${request.id}" must use a URL relative to the API version (like /users/{id}), not ${request.url.split('?')[0]}`);
    }
  }
  for (const request of requests) {
    for (const dependency of request.dependsOn ?? []) {
      if (!ids.has(key(dependency))) throw new TypeError(`$batch request "${request.id}" depends on "${dependency}", which is not in the batch`);
    }
  }
}

/** A retried subset may no longer contain a request's dependencies (they succeeded): drop those links. */
function withDependenciesAmong(request: BatchRequest, pendingIds: Set<string>): BatchRequest {
  if (!request.dependsOn) return request;
  const dependsOn = request.dependsOn.filter((id) => pendingIds.has(key(id)));
  if (dependsOn.length === request.dependsOn.length) return request;
  const { dependsOn: _dropped, ...rest } = request;
  return dependsOn.length > 0 ? { ...rest, dependsOn } : rest;
}

/** A 424 caused by a dependency that is about to be retried is not final: retry the dependant too. */
function failedOnlyBecauseOfRetried(pending: BatchRequest[], final: Map<string, BatchResponse>, retry: Set<string>): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const request of pending) {
      const id = key(request.id);
      if (final.get(id)?.status !== 424) continue;
      if ((request.dependsOn ?? []).some((dependency) => retry.has(key(dependency)))) {
        final.delete(id);
        retry.add(id);
        changed = true;
      }
    }
  }
}

function missingResponse(id: string): BatchResponse {
  return {
    id,
    status: 502,
    headers: {},
    body: { error: { code: 'MissingBatchResponse', message: 'Graph returned no response for this batch item' } },
  };
}

/** Batch ids are case-insensitive. */
function key(id: string): string {
  return id.toLowerCase();
}
