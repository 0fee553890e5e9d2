/** B2C-mode test support: the settings of a B2C-only deployment and requests as a RESTful technical profile sends them. */
import { randomBytes } from 'node:crypto';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { B2C_ROUTES, type B2cRoute } from '../../../lib/b2c/contract';
import type { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import type { Env } from '../../src/config/settings';
import type { CapturingSink } from './harness';

export const B2C_BASIC_USER = 'b2c-policy';
export const B2C_BASIC_PASSWORD = randomBytes(32).toString('base64url');

/** A B2C-only deployment with Basic authentication and the retry key of its own (no External ID key ring). */
export function b2cEnv(extra: Env = {}): Env {
  return {
    IdentityPlatform: 'b2c',
    B2cApiAuth: 'basic',
    B2cBasicUsername: B2C_BASIC_USER,
    B2cBasicPassword: B2C_BASIC_PASSWORD,
    RequestKeySecret: randomBytes(32).toString('base64url'),
    ...extra,
  };
}

export function basicAuthorization(user = B2C_BASIC_USER, password = B2C_BASIC_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export interface B2cCall {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
  readonly response: HttpResponseInit;
}

/** POSTs `body` (an object, or raw text) to a B2C route as B2C does: JSON, with the configured credential. */
export async function callB2c(
  endpoint: PasswordSubmitEndpoint,
  sink: CapturingSink,
  route: B2cRoute,
  body: Record<string, unknown> | string,
  headers: Record<string, string> = { authorization: basicAuthorization() },
): Promise<B2cCall> {
  const response = await endpoint.handleB2c(route, b2cRequest(route, body, headers), sink);
  return { status: response.status ?? 200, body: response.jsonBody as Record<string, unknown> | undefined, response };
}

/** A request to a B2C route as B2C sends it: JSON `body` (an object, or raw text), with the given credential headers. */
export function b2cRequest(route: B2cRoute, body: Record<string, unknown> | string, headers: Record<string, string> = { authorization: basicAuthorization() }): HttpRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new HttpRequest({
    method: route === B2C_ROUTES.health ? 'GET' : 'POST',
    url: `http://localhost/api/${route}`,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers },
    body: route === B2C_ROUTES.health ? undefined : { string: text },
  });
}
