import { B2cPolicyOptionsError, DEFAULT_B2C_USER_MESSAGES, resolveB2cPolicyOptions, type B2cPolicyOptions } from './options';

const BASE: B2cPolicyOptions = {
  tenant: 'contoso.onmicrosoft.com',
  apiUrl: 'https://func-jit.azurewebsites.net',
  extensionsAppClientId: '11111111-2222-3333-4444-555555555555',
  extensionsAppObjectId: '66666666-7777-8888-9999-000000000000',
  auth: 'bearer',
  apiAppId: '99999999-8888-7777-6666-555555555555',
};
const BASIC: B2cPolicyOptions = { ...BASE, apiAppId: undefined, auth: 'basic' };

/** The problems of bad options, as `option problem` lines. */
function problems(options: unknown): string[] {
  try {
    resolveB2cPolicyOptions(options as B2cPolicyOptions);
  } catch (error) {
    if (error instanceof B2cPolicyOptionsError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the options were accepted');
}

describe('resolveB2cPolicyOptions', () => {
  it('fills in the defaults and normalizes the spelling', () => {
    const resolved = resolveB2cPolicyOptions({ ...BASE, tenant: 'Contoso.onmicrosoft.COM', apiUrl: 'https://Func-Jit.azurewebsites.net:443/', extensionsAppObjectId: BASE.extensionsAppObjectId.toUpperCase() });
    expect(resolved).toEqual({
      tenant: 'contoso.onmicrosoft.com',
      apiOrigin: 'https://func-jit.azurewebsites.net',
      auth: 'bearer',
      extensionsAppClientId: BASE.extensionsAppClientId,
      extensionsAppObjectId: BASE.extensionsAppObjectId,
      basePolicy: 'B2C_1A_TrustFrameworkExtensions',
      policyPrefix: 'B2C_1A_JIT',
      policyIds: { migration: 'B2C_1A_JIT_Migration', signUpOrSignIn: 'B2C_1A_JIT_SignUpOrSignIn', passwordReset: 'B2C_1A_JIT_PasswordReset' },
      apiKeyHeader: undefined,
      apiScope: 'api://99999999-8888-7777-6666-555555555555/.default',
      userMessages: DEFAULT_B2C_USER_MESSAGES,
    });
    expect(resolveB2cPolicyOptions({ ...BASIC, auth: 'apiKey' }).apiKeyHeader).toBe('x-api-key');
    // Without --auth: basic, the function's own default (B2cApiAuth), so the two agree.
    expect(resolveB2cPolicyOptions({ ...BASIC, auth: undefined }).auth).toBe('basic');
    expect(resolveB2cPolicyOptions({ ...BASE, apiUrl: 'https://func.example.com:8443' }).apiOrigin).toBe('https://func.example.com:8443');
    expect(resolveB2cPolicyOptions({ ...BASE, apiAppId: undefined, apiScope: 'https://contoso.example/jit-api/.default' }).apiScope).toBe('https://contoso.example/jit-api/.default');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing tenant', { tenant: undefined }, 'tenant is required'],
    ['a custom domain', { tenant: 'login.contoso.com' }, `tenant must be the B2C tenant's initial domain, e.g. contoso.onmicrosoft.com (got "login.contoso.com")`],
    ['a tenant id', { tenant: '11111111-2222-3333-4444-555555555555' }, "tenant must be the B2C tenant's initial domain"],
    ['http', { apiUrl: 'http://func-jit.azurewebsites.net' }, 'apiUrl must use https (got http): B2C only calls REST APIs over TLS'],
    ['a path', { apiUrl: 'https://func-jit.azurewebsites.net/api' }, 'apiUrl must be the function app\'s origin alone, e.g. https://func-jit.azurewebsites.net, without a path, query or fragment: the generator appends /api/b2c/...'],
    ['a query', { apiUrl: 'https://func-jit.azurewebsites.net?code=x' }, "apiUrl must be the function app's origin alone"],
    ['an empty query', { apiUrl: 'https://func-jit.azurewebsites.net/?' }, "apiUrl must be the function app's origin alone"],
    ['a fragment', { apiUrl: 'https://func-jit.azurewebsites.net#x' }, "apiUrl must be the function app's origin alone"],
    ['credentials', { apiUrl: 'https://user:secret@func-jit.azurewebsites.net' }, 'apiUrl must not hold a user name or password: B2C authenticates with the policy keys'],
    ['no URL', { apiUrl: 'func-jit.azurewebsites.net' }, 'apiUrl must be an absolute URL, e.g. https://func-jit.azurewebsites.net'],
    ['an unknown auth', { auth: 'none' }, 'auth must be one of bearer, basic, clientCertificate, apiKey'],
    ['a client id that is no GUID', { extensionsAppClientId: 'b2c-extensions-app' }, "extensionsAppClientId must be a GUID: the b2c-extensions-app's Application (client) ID"],
    ['a missing object id', { extensionsAppObjectId: undefined }, 'extensionsAppObjectId is required'],
    ['a number for an id', { extensionsAppObjectId: 42 }, 'extensionsAppObjectId must be a string'],
    ['a base policy without B2C_1A_', { basePolicy: 'TrustFrameworkExtensions' }, 'basePolicy must start with B2C_1A_ and go on with letters, digits or underscores (got "TrustFrameworkExtensions")'],
    ['a prefix with a space', { policyPrefix: 'B2C_1A_JIT Migration' }, 'policyPrefix must start with B2C_1A_'],
    ['a bare prefix', { policyPrefix: 'B2C_1A_' }, 'policyPrefix must start with B2C_1A_'],
    ['a prefix naming the base', { policyPrefix: 'B2C_1A_Base', basePolicy: 'B2C_1A_Base_Migration' }, 'policyPrefix would name a generated policy B2C_1A_Base_Migration, the same as basePolicy: choose another prefix'],
    ['bearer without the API', { apiAppId: undefined }, "apiAppId or apiScope is required with auth bearer: B2C asks Entra for a token to that API (the function's API app registration)"],
    ['bearer with both', { apiScope: 'api://x/.default' }, 'apiScope and apiAppId are alternatives: give one of them'],
    ['a scope without .default', { apiAppId: undefined, apiScope: 'api://99999999-8888-7777-6666-555555555555/user_impersonation' }, "apiScope must be the API's application ID URI followed by /.default"],
    ['an API app id that is no GUID', { apiAppId: 'jit-api' }, "apiAppId must be a GUID: the function's API app registration's Application (client) ID"],
    ['an unknown option', { apiURL: 'https://x' }, 'apiURL is not an option: the options are tenant, apiUrl, auth,'],
    ['unknown user messages', { userMessages: { failed: 'x' } }, 'userMessages has no message failed: the messages are requestFailed, circuitOpen, dnsResolutionFailed, requestTimeout'],
    ['an empty message', { userMessages: { requestFailed: '  ' } }, 'userMessages.requestFailed must be text of 1 to 500 characters on one line, without control characters'],
    ['a two-line message', { userMessages: { requestTimeout: 'a\nb' } }, 'userMessages.requestTimeout must be text of 1 to 500'],
    ['a control character', { userMessages: { circuitOpen: 'a\u0007b' } }, 'userMessages.circuitOpen must be text of 1 to 500'],
    ['a long message', { userMessages: { requestFailed: 'x'.repeat(501) } }, 'userMessages.requestFailed must be text of 1 to 500'],
  ])('refuses %s', (_, change, expected) => {
    expect(problems({ ...BASE, ...change })).toEqual([expect.stringContaining(expected)]);
  });

  it('accepts the limits', () => {
    expect(resolveB2cPolicyOptions({ ...BASE, userMessages: { requestFailed: 'x'.repeat(500) } }).userMessages.requestFailed).toHaveLength(500);
    expect(resolveB2cPolicyOptions({ ...BASE, tenant: 'a.onmicrosoft.com', policyPrefix: 'B2C_1A_x' }).policyIds.migration).toBe('B2C_1A_x_Migration');
  });

  it.each([
    ['apiKeyHeader', { ...BASIC, auth: 'apiKey', apiKeyHeader: 'x api key' }, "apiKeyHeader must be an HTTP header name: letters, digits and !#$%&'*+.^_`|~-"],
    ['apiKeyHeader', { ...BASIC, auth: 'apiKey', apiKeyHeader: 'Authorization' }, 'apiKeyHeader cannot be Authorization: HTTP or B2C sets that header; use e.g. x-api-key'],
    ['apiKeyHeader', { ...BASIC, apiKeyHeader: 'x-api-key' }, 'apiKeyHeader only applies with auth apiKey (auth is basic): leave it out'],
    ['apiAppId', { ...BASIC, apiAppId: BASE.apiAppId }, 'apiAppId only applies with auth bearer (auth is basic): leave it out'],
    ['apiScope', { ...BASIC, auth: 'clientCertificate', apiScope: 'api://x/.default' }, 'apiScope only applies with auth bearer (auth is clientCertificate): leave it out'],
  ])('refuses %s where the auth type does not use it', (_, options, expected) => {
    expect(problems(options)).toEqual([expected]);
  });

  it('reports every problem at once, and names the options as the caller does', () => {
    let error: unknown;
    try {
      resolveB2cPolicyOptions({ ...BASE, tenant: 'contoso', apiUrl: 'http://x', apiAppId: undefined });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(B2cPolicyOptionsError);
    const failure = error as B2cPolicyOptionsError;
    expect(failure.problems.map((problem) => problem.option)).toEqual(['tenant', 'apiUrl', 'apiAppId']);
    const flags = failure.describe((option) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    expect(flags.split('\n')).toEqual([
      `--tenant must be the B2C tenant's initial domain, e.g. contoso.onmicrosoft.com (got "contoso")`,
      '--api-url must use https (got http): B2C only calls REST APIs over TLS',
      "--api-app-id or --api-scope is required with --auth bearer: B2C asks Entra for a token to that API (the function's API app registration)",
    ]);
  });

  it('quotes a bad value on one short line', () => {
    expect(problems({ ...BASE, tenant: `evil\n${'x'.repeat(200)}` })[0]).toMatch(/^tenant must be .*\(got "evil\?x+\.\.\."\)$/);
  });
});
