/** Builds the reply Entra expects (docs/entra-contracts.md#response; [JIT-DOC] 2.2.2). */
import type { HttpResponseInit } from '@azure/functions';
import type { PasswordSubmitAction } from './decide';

export interface PasswordSubmitAnswer {
  readonly action: PasswordSubmitAction;
  readonly title?: string;
  readonly message?: string;
}

export interface PasswordSubmitResponseBody {
  readonly data: {
    readonly '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData';
    readonly actions: readonly [
      { readonly '@odata.type': `microsoft.graph.passwordSubmit.${PasswordSubmitAction}`; readonly title?: string; readonly message?: string },
    ];
    readonly nonce: string;
  };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

export function passwordSubmitResponseBody(answer: PasswordSubmitAnswer, nonce: string): PasswordSubmitResponseBody {
  const action = {
    '@odata.type': `microsoft.graph.passwordSubmit.${answer.action}` as const,
    ...(answer.title !== undefined ? { title: answer.title } : {}),
    ...(answer.message !== undefined ? { message: answer.message } : {}),
  };
  return { data: { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData', actions: [action], nonce } };
}

/** Exactly one action, the request's nonce echoed as `data.nonce`, HTTP 200, application/json. */
export function passwordSubmitResponse(answer: PasswordSubmitAnswer, nonce: string): HttpResponseInit {
  return { status: 200, headers: JSON_HEADERS, jsonBody: passwordSubmitResponseBody(answer, nonce) };
}

/** 401 says nothing beyond the scheme (RFC 6750 section 3): no hint about which check failed. */
export function unauthorizedResponse(): HttpResponseInit {
  return { status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer' } };
}

/** For an authenticated caller's malformed request: says what is wrong, never echoes the input. */
export function requestErrorResponse(status: 400 | 405 | 413 | 415, description: string): HttpResponseInit {
  return { status, headers: JSON_HEADERS, jsonBody: { error: 'invalid_request', error_description: description } };
}

export function jsonResponse(status: 200 | 404 | 503, body: unknown): HttpResponseInit {
  return { status, headers: JSON_HEADERS, jsonBody: body };
}
