/** Validates the inbound passwordSubmit body at the boundary (docs/entra-contracts.md#request). */
import { GUID } from '../../../lib/ids/guid';

export class RequestShapeError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'RequestShapeError';
  }
}

export interface PasswordSubmitRequest {
  readonly encryptedPasswordContext: string;
  readonly correlationId?: string;
  readonly tenantId?: string;
  readonly clientAppId?: string;
  /** `authenticationContext.user.id`: the Entra object id of the user signing in. */
  readonly userId?: string;
}

export const PASSWORD_SUBMIT_EVENT = 'microsoft.graph.authenticationEvent.passwordSubmit';
const CALLOUT_DATA_TYPE = 'microsoft.graph.onPasswordSubmitCalloutData';
const MAX_CONTEXT_LENGTH = 32768;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, maxLength: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength ? value : undefined;
}

export function parsePasswordSubmitRequest(text: string): PasswordSubmitRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestShapeError(400, 'the request body is not valid JSON');
  }
  if (!isObject(body)) throw new RequestShapeError(400, 'the request body must be a JSON object');
  if (body.type !== PASSWORD_SUBMIT_EVENT) throw new RequestShapeError(400, `type must be ${PASSWORD_SUBMIT_EVENT}`);
  const data = body.data;
  if (!isObject(data)) throw new RequestShapeError(400, 'data is missing');
  // Some payloads carry the leading '#', some do not; both name the same type.
  const dataType = typeof data['@odata.type'] === 'string' ? data['@odata.type'].replace(/^#/, '') : undefined;
  if (dataType !== undefined && dataType !== CALLOUT_DATA_TYPE) {
    throw new RequestShapeError(400, `data.@odata.type must be ${CALLOUT_DATA_TYPE}`);
  }
  const context = data.encryptedPasswordContext;
  if (typeof context !== 'string' || context.length === 0) {
    throw new RequestShapeError(400, 'data.encryptedPasswordContext is missing');
  }
  if (context.length > MAX_CONTEXT_LENGTH) throw new RequestShapeError(400, 'data.encryptedPasswordContext is too long');
  const authenticationContext = isObject(data.authenticationContext) ? data.authenticationContext : {};
  const client = isObject(authenticationContext.clientServicePrincipal) ? authenticationContext.clientServicePrincipal : {};
  const user = isObject(authenticationContext.user) ? authenticationContext.user : {};
  // The id goes into a Graph path, so it must be exactly an object id.
  if (user.id !== undefined && user.id !== null && (typeof user.id !== 'string' || !GUID.test(user.id))) {
    throw new RequestShapeError(400, 'data.authenticationContext.user.id is not an object id (GUID)');
  }
  return {
    encryptedPasswordContext: context,
    correlationId: optionalString(authenticationContext.correlationId, 64),
    tenantId: optionalString(data.tenantId, 64),
    clientAppId: optionalString(client.appId, 64),
    userId: typeof user.id === 'string' ? user.id.toLowerCase() : undefined,
  };
}
