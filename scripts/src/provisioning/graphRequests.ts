/**
 * The two Graph requests provisioning makes, as `$batch` items, and what each answer means for the record.
 * Create: `POST /users` (user-post-users). Look-up: `GET /users?$filter=identities/any(...)` (user-list
 * Example 2; objectIdentity "Filtering": issuer and issuerAssignedId both required).
 */
import { randomBytes } from 'node:crypto';
import { graphErrorForBatchItem, type BatchRequest, type BatchResponse } from '../../../lib/graph';
import type { Failure } from './outcomes';
import type { MfaMethod, ProvisioningTarget } from './target';
import type { UserDraft } from './userPlan';

/** A random UPN (`{32 hex}@{domain}`): unguessable, and unrelated to the email, which Entra shows nowhere else. */
export function newUserPrincipalName(domain: string): string {
  return `${randomBytes(16).toString('hex')}@${domain}`;
}

export function createUserRequest(id: string, draft: UserDraft, userPrincipalName: string, password: string): BatchRequest {
  return {
    id,
    method: 'POST',
    url: '/users',
    body: {
      ...draft.profile,
      userPrincipalName,
      mailNickname: userPrincipalName.split('@')[0],
      passwordProfile: { password, forceChangePasswordNextSignIn: false },
    },
  };
}

/** OData string literals double their single quotes. */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function lookupRequest(id: string, email: string, target: ProvisioningTarget): BatchRequest {
  const filter = `identities/any(c:c/issuerAssignedId eq ${odataString(email)} and c/issuer eq ${odataString(target.domain)})`;
  const select = `id,userPrincipalName,${target.migrationProperty}`;
  return { id, method: 'GET', url: `/users?$filter=${encodeURIComponent(filter)}&$select=${encodeURIComponent(select)}` };
}

export type CreateResult =
  | { readonly kind: 'created'; readonly id: string }
  /** The identity (or our UPN) is taken: the user exists, maybe from an earlier attempt of ours. */
  | { readonly kind: 'conflict' }
  /** Still 429 after the client's retries: nothing was written, send it again later. */
  | { readonly kind: 'throttled' }
  /** 5xx after the client's retries: it may have been written; look it up before sending again. */
  | { readonly kind: 'in-doubt' }
  | { readonly kind: 'failed'; readonly failure: Failure; readonly fatal: boolean };

export type LookupResult =
  | { readonly kind: 'found'; readonly id: string; readonly userPrincipalName?: string; readonly flagged: boolean }
  | { readonly kind: 'absent' }
  | { readonly kind: 'retry' }
  | { readonly kind: 'failed'; readonly failure: Failure; readonly fatal: boolean };

/** Graph's words for a taken identity or UPN (400 Request_BadRequest; some tenants answer 409 ObjectConflict). */
const TAKEN = /another object with the same value for property (identities|userPrincipalName) already exists/i;

export function readCreateResponse(request: BatchRequest, response: BatchResponse, target: ProvisioningTarget): CreateResult {
  if (response.status === 201) {
    const id = (response.body as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' && id !== '' ? { kind: 'created', id } : { kind: 'in-doubt' };
  }
  if (response.status === 429) return { kind: 'throttled' };
  if (response.status === 0 || response.status >= 500) return { kind: 'in-doubt' };
  const error = graphErrorForBatchItem(request, response);
  if (response.status === 409 || TAKEN.test(error.graphMessage ?? '') || error.code === 'ObjectConflict') return { kind: 'conflict' };
  const fatal = fatalFailure(response.status, error, target);
  if (fatal) return { kind: 'failed', failure: fatal, fatal: true };
  const said = error.graphMessage ?? `HTTP ${response.status}`;
  return { kind: 'failed', fatal: false, failure: { code: 'graph-rejected', reason: `Graph refused this user: ${said}${error.code ? ` (${error.code})` : ''}: correct the record in the export and run again` } };
}

export function readLookupResponse(request: BatchRequest, response: BatchResponse, target: ProvisioningTarget): LookupResult {
  if (response.status === 200) {
    const value = (response.body as { value?: unknown } | undefined)?.value;
    if (!Array.isArray(value)) return { kind: 'retry' };
    const user = value[0] as Record<string, unknown> | undefined;
    if (user === undefined || typeof user.id !== 'string') return { kind: 'absent' };
    const flagName = Object.keys(user).find((name) => name.toLowerCase() === target.migrationProperty.toLowerCase());
    return {
      kind: 'found',
      id: user.id,
      userPrincipalName: typeof user.userPrincipalName === 'string' ? user.userPrincipalName : undefined,
      flagged: flagName !== undefined && user[flagName] === true,
    };
  }
  if (response.status === 429 || response.status === 0 || response.status >= 500) return { kind: 'retry' };
  const error = graphErrorForBatchItem(request, response);
  const fatal = fatalFailure(response.status, error, target);
  if (fatal) return { kind: 'failed', failure: fatal, fatal: true };
  return { kind: 'failed', fatal: false, failure: { code: 'graph-rejected', reason: `Graph refused to look this user up: ${error.graphMessage ?? `HTTP ${response.status}`}` } };
}

/** Answers that would repeat for every user: the run stops instead of failing them one by one. */
function fatalFailure(status: number, error: { message: string; graphMessage?: string }, target: ProvisioningTarget): Failure | undefined {
  if (status === 401 || status === 403) return { code: 'not-permitted', reason: error.message };
  const said = error.graphMessage ?? '';
  if (status === 400 && said.toLowerCase().includes(target.migrationProperty.toLowerCase())) {
    return {
      code: 'unknown-migration-property',
      reason:
        `Graph refused the migration flag ${target.migrationProperty} ("${said}"): it must be a Boolean extension property ` +
        `registered for User on the b2c-extensions-app (POST /applications/{its object id}/extensionProperties ` +
        `{"name":"…","dataType":"Boolean","targetObjects":["User"]}); create it or correct --migration-property`,
    };
  }
  return undefined;
}

/**
 * Registers one authentication method (authentication-post-phonemethods: `{"phoneNumber","phoneType":"mobile"}`;
 * authentication-post-emailmethods: `{"emailAddress"}`), each a write in Graph's identity limits.
 */
export function methodRequest(id: string, userId: string, method: MfaMethod, value: string): BatchRequest {
  const user = `/users/${encodeURIComponent(userId)}/authentication`;
  return method === 'phone'
    ? { id, method: 'POST', url: `${user}/phoneMethods`, body: { phoneNumber: value, phoneType: 'mobile' } }
    : { id, method: 'POST', url: `${user}/emailMethods`, body: { emailAddress: value } };
}

export type MethodResult =
  | { readonly kind: 'registered' | 'already-registered' }
  /** 429, 5xx, no answer, or 404 (the user was just created and has not replicated yet): send it again. */
  | { readonly kind: 'retry'; readonly throttled: boolean }
  | { readonly kind: 'failed'; readonly failure: Failure; readonly fatal: boolean };

/** Microsoft's kit treats 409, or a 400 that says so, as a method already there (b2c-to-external-id.md section 5). */
const ALREADY_REGISTERED = /already (registered|exists)/i;
const METHOD_PERMISSION = 'UserAuthenticationMethod.ReadWrite.All';

export function readMethodResponse(request: BatchRequest, response: BatchResponse, method: MfaMethod): MethodResult {
  if (response.status === 201 || response.status === 200) return { kind: 'registered' };
  if (response.status === 409) return { kind: 'already-registered' };
  if (response.status === 429) return { kind: 'retry', throttled: true };
  if (response.status === 0 || response.status === 404 || response.status >= 500) return { kind: 'retry', throttled: false };
  const error = graphErrorForBatchItem(request, response);
  const said = error.graphMessage ?? `HTTP ${response.status}`;
  if (response.status === 400 && ALREADY_REGISTERED.test(said)) return { kind: 'already-registered' };
  if (response.status === 401 || response.status === 403) {
    return { kind: 'failed', fatal: true, failure: { code: 'not-permitted', reason: `Graph refused to register ${method} methods (${said}): grant the identity the application permission ${METHOD_PERMISSION} with admin consent` } };
  }
  return { kind: 'failed', fatal: false, failure: { code: 'graph-rejected', reason: `Graph refused the ${method} method: ${said}${error.code ? ` (${error.code})` : ''}: correct it in B2C or the export and run again` } };
}
