import type { BatchRequest, BatchResponse } from '../../../lib/graph';
import { createUserRequest, lookupRequest, methodRequest, newUserPrincipalName, readCreateResponse, readLookupResponse, readMethodResponse } from './graphRequests';
import type { UserDraft } from './userPlan';

const target = { domain: 'contoso.onmicrosoft.com', migrationProperty: 'extension_0123456789abcdef0123456789abcdef_toBeMigrated' };
const draft: UserDraft = { record: 3, username: 'ada@example.com', email: 'ada@example.com', profile: { displayName: 'Ada', accountEnabled: true }, changes: [] };
const PASSWORD = 'Xy7!not-really-random-Passw0rd';
const create = createUserRequest('3', draft, 'abc@contoso.onmicrosoft.com', PASSWORD);
const answer = (status: number, body?: unknown, headers: Record<string, string> = {}): BatchResponse => ({ id: '3', status, headers, body });
const graphError = (message: string, code = 'Request_BadRequest') => ({ error: { code, message } });

describe('createUserRequest', () => {
  it('adds the UPN, its nickname and a password that must not be changed at first sign-in', () => {
    expect(create).toEqual({
      id: '3',
      method: 'POST',
      url: '/users',
      body: { displayName: 'Ada', accountEnabled: true, userPrincipalName: 'abc@contoso.onmicrosoft.com', mailNickname: 'abc', passwordProfile: { password: PASSWORD, forceChangePasswordNextSignIn: false } },
    });
  });

  it('makes random, unrelated UPNs', () => {
    const upn = newUserPrincipalName('contoso.onmicrosoft.com');
    expect(upn).toMatch(/^[0-9a-f]{32}@contoso\.onmicrosoft\.com$/);
    expect(newUserPrincipalName('contoso.onmicrosoft.com')).not.toBe(upn);
  });
});

describe('lookupRequest', () => {
  it('filters on issuer and issuerAssignedId, escaping quotes, and selects the flag', () => {
    const request = lookupRequest('7', "o'brien+x@example.com", target);
    const url = new URL(request.url, 'https://graph.invalid');
    expect(request.method).toBe('GET');
    expect(url.pathname).toBe('/users');
    expect(url.searchParams.get('$filter')).toBe("identities/any(c:c/issuerAssignedId eq 'o''brien+x@example.com' and c/issuer eq 'contoso.onmicrosoft.com')");
    expect(url.searchParams.get('$select')).toBe(`id,userPrincipalName,${target.migrationProperty}`);
    expect(request.url).not.toContain('+x'); // a literal + would read as a space
  });
});

describe('readCreateResponse', () => {
  it.each<[string, BatchResponse, string]>([
    ['201 with an id', answer(201, { id: 'obj-1' }), 'created'],
    ['a taken identity (400)', answer(400, graphError('Another object with the same value for property identities already exists.')), 'conflict'],
    ['a taken UPN (400)', answer(400, graphError('Another object with the same value for property userPrincipalName already exists.')), 'conflict'],
    ['409 ObjectConflict', answer(409, graphError('conflict', 'ObjectConflict')), 'conflict'],
    ['429 after every retry', answer(429, graphError('Too many requests', 'TooManyRequests')), 'throttled'],
    ['503 after every retry', answer(503, graphError('busy', 'ServiceUnavailable')), 'in-doubt'],
    ['a missing batch answer (502)', answer(502), 'in-doubt'],
  ])('%s → %s', (_label, response, kind) => {
    expect(readCreateResponse(create, response, target).kind).toBe(kind);
  });

  it('reports any other 4xx for the user, with Graph\'s message and never the password', () => {
    const result = readCreateResponse(create, answer(400, graphError(`Invalid value specified for property 'mail' (you sent ${PASSWORD})`)), target);
    expect(result).toEqual({ kind: 'failed', fatal: false, failure: { code: 'graph-rejected', reason: expect.stringMatching(/^Graph refused this user: Invalid value specified for property 'mail'.*\(Request_BadRequest\): correct the record/) } });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('stops the run on 401/403 and on an unknown migration flag', () => {
    expect(readCreateResponse(create, answer(403, graphError('Insufficient privileges', 'Authorization_RequestDenied')), target)).toMatchObject({
      kind: 'failed',
      fatal: true,
      failure: { code: 'not-permitted', reason: expect.stringContaining('lacks a Graph permission') },
    });
    const unknown = answer(400, graphError(`Property '${target.migrationProperty}' does not exist as a declared property or extension property.`));
    expect(readCreateResponse(create, unknown, target)).toMatchObject({ kind: 'failed', fatal: true, failure: { code: 'unknown-migration-property' } });
  });
});

describe('readLookupResponse', () => {
  const lookup: BatchRequest = lookupRequest('3', 'ada@example.com', target);

  it('reads the first match, its UPN and whether it carries the flag', () => {
    const found = answer(200, { value: [{ id: 'obj-1', userPrincipalName: 'abc@contoso.onmicrosoft.com', [target.migrationProperty.toUpperCase()]: true }] });
    expect(readLookupResponse(lookup, found, target)).toEqual({ kind: 'found', id: 'obj-1', userPrincipalName: 'abc@contoso.onmicrosoft.com', flagged: true });
    expect(readLookupResponse(lookup, answer(200, { value: [{ id: 'obj-2', [target.migrationProperty]: null }] }), target)).toMatchObject({ kind: 'found', flagged: false });
    expect(readLookupResponse(lookup, answer(200, { value: [] }), target)).toEqual({ kind: 'absent' });
  });

  it('retries throttled and failed look-ups, stops on an unknown flag', () => {
    expect(readLookupResponse(lookup, answer(429), target).kind).toBe('retry');
    expect(readLookupResponse(lookup, answer(500), target).kind).toBe('retry');
    const unknown = answer(400, graphError(`Could not find a property named '${target.migrationProperty}' on type 'microsoft.graph.user'.`));
    expect(readLookupResponse(lookup, unknown, target)).toMatchObject({ kind: 'failed', fatal: true, failure: { code: 'unknown-migration-property' } });
  });
});

describe('methodRequest and readMethodResponse (--mfa-methods)', () => {
  const phone = methodRequest('3', 'user-id', 'phone', '+1 2065550100');
  it('posts a mobile phone or an email method to the user', () => {
    expect(phone).toEqual({ id: '3', method: 'POST', url: '/users/user-id/authentication/phoneMethods', body: { phoneNumber: '+1 2065550100', phoneType: 'mobile' } });
    expect(methodRequest('4', 'user-id', 'email', 'ada@example.com')).toEqual({ id: '4', method: 'POST', url: '/users/user-id/authentication/emailMethods', body: { emailAddress: 'ada@example.com' } });
  });

  it.each<[number, unknown, string]>([
    [201, { id: 'x' }, 'registered'],
    [409, graphError('A phone method of type mobile is already registered.', 'conflict'), 'already-registered'],
    [400, graphError('Phone number already registered for this user.'), 'already-registered'],
    [429, graphError('Too many requests', 'TooManyRequests'), 'retry'],
    [404, graphError('Resource does not exist', 'Request_ResourceNotFound'), 'retry'],
    [503, graphError('busy', 'ServiceUnavailable'), 'retry'],
    [400, graphError('Invalid phone number format.'), 'failed'],
    [403, graphError('Insufficient privileges to complete the operation.', 'Authorization_RequestDenied'), 'failed'],
  ])('HTTP %i → %s', (status, body, kind) => {
    expect(readMethodResponse(phone, answer(status, body), 'phone').kind).toBe(kind);
  });

  it('stops the run on 403 with the permission to grant', () => {
    const result = readMethodResponse(phone, answer(403, graphError('Insufficient privileges', 'Authorization_RequestDenied')), 'phone');
    expect(result).toMatchObject({ kind: 'failed', fatal: true, failure: { code: 'not-permitted', reason: expect.stringContaining('UserAuthenticationMethod.ReadWrite.All') } });
  });
});
