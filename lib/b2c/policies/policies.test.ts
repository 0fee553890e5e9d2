/**
 * The generated policy files, parsed back as XML and read the way B2C reads them: the policy chain, each
 * page's validation profiles in order with their preconditions, the password writes, the function's URLs,
 * the keys per auth type, determinism and escaping.
 */
import { XMLParser } from 'fast-xml-parser';
import { B2C_AUTH_TYPES, B2C_ROUTES, type B2cApiAuth } from '../contract';
import {
  B2C_API_AUTHS,
  B2C_LAYER_JOURNEYS,
  B2C_LAYER_PROFILES,
  B2C_LAYER_TRANSFORMATIONS,
  B2C_STARTER_PACK,
  generateB2cPolicies,
  type B2cPolicyOptions,
} from '.';

interface Node {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly Node[];
  readonly text: string;
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };
const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, trimValues: false, htmlEntities: true });

function toNode(entry: Ordered): Node {
  const name = Object.keys(entry).find((key) => key !== ':@')!;
  const content = entry[name] as Ordered[];
  return {
    name,
    attrs: entry[':@'] ?? {},
    children: content.filter((child) => !('#text' in child)).map(toNode),
    text: content
      .filter((child) => '#text' in child)
      .map((child) => String(child['#text']))
      .join(''),
  };
}

/** The root element of a policy file. */
function parse(xml: string): Node {
  const entries = parser.parse(xml) as Ordered[];
  return toNode(entries.find((entry) => 'TrustFrameworkPolicy' in entry)!);
}

function descendants(node: Node, name: string): Node[] {
  return node.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}
const child = (node: Node, name: string): Node | undefined => node.children.find((c) => c.name === name);
const childrenOf = (node: Node, outer: string, inner: string): Node[] => child(node, outer)?.children.filter((c) => c.name === inner) ?? [];

function profile(root: Node, id: string): Node {
  const found = descendants(root, 'TechnicalProfile').filter((tp) => tp.attrs.Id === id);
  expect(found).toHaveLength(1);
  return found[0]!;
}
const metadata = (tp: Node): Record<string, string> => Object.fromEntries(childrenOf(tp, 'Metadata', 'Item').map((item) => [item.attrs.Key!, item.text]));
const keys = (tp: Node): Record<string, string> => Object.fromEntries(childrenOf(tp, 'CryptographicKeys', 'Key').map((key) => [key.attrs.Id!, key.attrs.StorageReferenceId!]));
const claims = (tp: Node, kind: 'InputClaims' | 'OutputClaims' | 'PersistedClaims'): Record<string, string>[] => childrenOf(tp, kind, kind.slice(0, -1)).map((c) => ({ ...c.attrs }));

/** Each validation profile with its preconditions as `Type ExecuteActionsIf values… → Action`. */
function validationProfiles(tp: Node): { id: string; preconditions: string[] }[] {
  return childrenOf(tp, 'ValidationTechnicalProfiles', 'ValidationTechnicalProfile').map((vtp) => ({
    id: vtp.attrs.ReferenceId!,
    preconditions: childrenOf(vtp, 'Preconditions', 'Precondition').map(
      (p) => `${p.attrs.Type} ${p.attrs.ExecuteActionsIf} ${p.children.filter((c) => c.name === 'Value').map((c) => c.text).join(' ')} → ${child(p, 'Action')!.text}`,
    ),
  }));
}

const OPTIONS: B2cPolicyOptions = {
  tenant: 'contoso.onmicrosoft.com',
  apiUrl: 'https://func-jit.azurewebsites.net',
  extensionsAppClientId: '11111111-2222-3333-4444-555555555555',
  extensionsAppObjectId: '66666666-7777-8888-9999-000000000000',
  auth: 'bearer',
  apiAppId: '99999999-8888-7777-6666-555555555555',
};
const optionsFor = (auth: B2cApiAuth): B2cPolicyOptions => (auth === 'bearer' ? { ...OPTIONS, auth } : { ...OPTIONS, apiAppId: undefined, auth });

function generated(options: B2cPolicyOptions) {
  const { files } = generateB2cPolicies(options);
  return { files, layer: parse(files[0]!.xml), signIn: parse(files[1]!.xml), reset: parse(files[2]!.xml) };
}

const FUNCTION_CALLS = [
  [B2C_LAYER_PROFILES.signIn, B2C_ROUTES.signIn],
  [B2C_LAYER_PROFILES.signUp, B2C_ROUTES.signUp],
  [B2C_LAYER_PROFILES.passwordReset, B2C_ROUTES.passwordReset],
] as const;

/** The design's policy keys per auth type (`CryptographicKeys` Id → StorageReferenceId). */
const KEYS: Record<Exclude<B2cApiAuth, 'bearer'>, Record<string, string>> = {
  basic: { BasicAuthenticationUsername: 'B2C_1A_JIT_ApiUsername', BasicAuthenticationPassword: 'B2C_1A_JIT_ApiPassword' },
  clientCertificate: { ClientCertificate: 'B2C_1A_JIT_ApiClientCertificate' },
  apiKey: { 'x-api-key': 'B2C_1A_JIT_ApiKey' },
};

const SKIP_VTP = 'SkipThisValidationTechnicalProfile';
const UNLESS_API_CALL = `ClaimEquals true jitCallApi False → ${SKIP_VTP}`;
const UNLESS_MIGRATED = `ClaimEquals false migrationOutcome migrated → ${SKIP_VTP}`;
const UNLESS_IN_B2C = `ClaimsExist false objectId → ${SKIP_VTP}`;
const IF_IN_B2C = `ClaimsExist true objectId → ${SKIP_VTP}`;

describe.each(['bearer', 'basic', 'clientCertificate', 'apiKey'] as const)('generateB2cPolicies, auth %s', (auth) => {
  const { files, layer, signIn, reset } = generated(optionsFor(auth));
  const bearer = auth === 'bearer';
  /** The token request, just before a call when the auth is bearer, with the call's preconditions. */
  const withToken = (call: { id: string; preconditions: string[] }) => (bearer ? [{ id: B2C_LAYER_PROFILES.acquireAccessToken, preconditions: call.preconditions }, call] : [call]);

  it('writes the layer, then the two relying parties, each file named after its policy', () => {
    expect(files.map((file) => [file.policyId, file.fileName])).toEqual([
      ['B2C_1A_JIT_Migration', 'B2C_1A_JIT_Migration.xml'],
      ['B2C_1A_JIT_SignUpOrSignIn', 'B2C_1A_JIT_SignUpOrSignIn.xml'],
      ['B2C_1A_JIT_PasswordReset', 'B2C_1A_JIT_PasswordReset.xml'],
    ]);
    for (const file of files) expect(file.xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
  });

  it('chains the relying parties to the layer and the layer to the base policy, in the tenant', () => {
    const chain = [layer, signIn, reset].map((root) => ({
      id: root.attrs.PolicyId,
      tenant: root.attrs.TenantId,
      uri: root.attrs.PublicPolicyUri,
      schema: root.attrs.PolicySchemaVersion,
      base: child(child(root, 'BasePolicy')!, 'PolicyId')!.text,
      baseTenant: child(child(root, 'BasePolicy')!, 'TenantId')!.text,
      deploymentMode: root.attrs.DeploymentMode,
    }));
    expect(chain).toEqual([
      { id: 'B2C_1A_JIT_Migration', tenant: 'contoso.onmicrosoft.com', uri: 'http://contoso.onmicrosoft.com/B2C_1A_JIT_Migration', schema: '0.3.0.0', base: 'B2C_1A_TrustFrameworkExtensions', baseTenant: 'contoso.onmicrosoft.com', deploymentMode: undefined },
      { id: 'B2C_1A_JIT_SignUpOrSignIn', tenant: 'contoso.onmicrosoft.com', uri: 'http://contoso.onmicrosoft.com/B2C_1A_JIT_SignUpOrSignIn', schema: '0.3.0.0', base: 'B2C_1A_JIT_Migration', baseTenant: 'contoso.onmicrosoft.com', deploymentMode: undefined },
      { id: 'B2C_1A_JIT_PasswordReset', tenant: 'contoso.onmicrosoft.com', uri: 'http://contoso.onmicrosoft.com/B2C_1A_JIT_PasswordReset', schema: '0.3.0.0', base: 'B2C_1A_JIT_Migration', baseTenant: 'contoso.onmicrosoft.com', deploymentMode: undefined },
    ]);
    expect(child(layer, 'RelyingParty')).toBeUndefined();
  });

  it('gives each relying party its journey and the token claims, sub = objectId', () => {
    for (const [root, journey] of [
      [signIn, B2C_LAYER_JOURNEYS.signUpOrSignIn],
      [reset, B2C_LAYER_JOURNEYS.passwordReset],
    ] as const) {
      const rp = child(root, 'RelyingParty')!;
      expect(child(rp, 'DefaultUserJourney')!.attrs.ReferenceId).toBe(journey);
      const policyProfile = child(rp, 'TechnicalProfile')!;
      expect(child(policyProfile, 'Protocol')!.attrs.Name).toBe('OpenIdConnect');
      expect(child(policyProfile, 'SubjectNamingInfo')!.attrs.ClaimType).toBe('sub');
      expect(claims(policyProfile, 'OutputClaims').map((c) => `${c.ClaimTypeReferenceId}${c.PartnerClaimType ? `→${c.PartnerClaimType}` : ''}`)).toEqual([
        'displayName',
        'givenName',
        'surname',
        'email',
        'objectId→sub',
        'tenantId→tid',
      ]);
    }
  });

  it('points AAD-Common at the b2c-extensions-app', () => {
    expect(metadata(profile(layer, B2C_STARTER_PACK.aadCommon))).toEqual({ ClientId: OPTIONS.extensionsAppClientId, ApplicationObjectId: OPTIONS.extensionsAppObjectId });
  });

  it('calls the contract routes on the given host, with the auth type and a message for failed calls', () => {
    for (const [id, route] of FUNCTION_CALLS) {
      const md = metadata(profile(layer, id));
      expect(md.ServiceUrl).toBe(`https://func-jit.azurewebsites.net/api/${route}`);
      expect(new URL(md.ServiceUrl!).host).toBe('func-jit.azurewebsites.net');
      expect(md.AuthenticationType).toBe(B2C_AUTH_TYPES[auth]);
      expect(md.SendClaimsIn).toBe('Body');
      expect(md.DefaultUserMessageIfRequestFailed).toMatch(/\S/);
      expect(md).not.toHaveProperty('AllowInsecureAuthInProduction');
    }
    expect(files.map((file) => file.xml).join('')).not.toMatch(/AllowInsecureAuthInProduction|DeploymentMode|AuthenticationType">None/);
  });

  it('sends what the contract asks and maps the answer onto claims', () => {
    const io = (id: string, kind: 'InputClaims' | 'OutputClaims') => claims(profile(layer, id), kind).map((c) => c.ClaimTypeReferenceId);
    const token = bearer ? ['bearerToken'] : [];
    expect(io(B2C_LAYER_PROFILES.signIn, 'InputClaims')).toEqual(['signInName', 'password', ...token]);
    expect(io(B2C_LAYER_PROFILES.signIn, 'OutputClaims')).toEqual(['migrationOutcome', 'email', 'displayName', 'givenName', 'surname']);
    expect(io(B2C_LAYER_PROFILES.signUp, 'InputClaims')).toEqual(['email', ...token]);
    expect(io(B2C_LAYER_PROFILES.passwordReset, 'InputClaims')).toEqual(['email', 'objectId', ...token]);
    expect(io(B2C_LAYER_PROFILES.passwordReset, 'OutputClaims')).toEqual(['migrationOutcome', 'email', 'displayName', 'givenName', 'surname']);
  });

  if (bearer) {
    it('bearer: gets a client-credentials token first and sends it as the bearer token', () => {
      const token = profile(layer, B2C_LAYER_PROFILES.acquireAccessToken);
      expect(metadata(token)).toMatchObject({ ServiceUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token', AuthenticationType: 'Basic', SendClaimsIn: 'Form' });
      expect(metadata(token).DefaultUserMessageIfRequestFailed).toMatch(/\S/);
      expect(keys(token)).toEqual({ BasicAuthenticationUsername: 'B2C_1A_JIT_ApiClientId', BasicAuthenticationPassword: 'B2C_1A_JIT_ApiClientSecret' });
      expect(claims(token, 'InputClaims')).toEqual([
        { ClaimTypeReferenceId: 'grant_type', DefaultValue: 'client_credentials', AlwaysUseDefaultValue: 'true' },
        { ClaimTypeReferenceId: 'scope', DefaultValue: `api://${OPTIONS.apiAppId}/.default`, AlwaysUseDefaultValue: 'true' },
      ]);
      expect(claims(token, 'OutputClaims')).toEqual([{ ClaimTypeReferenceId: 'bearerToken', PartnerClaimType: 'access_token' }]);
      for (const [id] of FUNCTION_CALLS) {
        expect(metadata(profile(layer, id)).UseClaimAsBearerToken).toBe('bearerToken');
        expect(keys(profile(layer, id))).toEqual({});
      }
    });
  } else {
    it(`${auth}: reads the design's policy keys and nothing else`, () => {
      for (const [id] of FUNCTION_CALLS) {
        expect(keys(profile(layer, id))).toEqual(KEYS[auth]);
        expect(metadata(profile(layer, id))).not.toHaveProperty('UseClaimAsBearerToken');
      }
      expect(descendants(layer, 'TechnicalProfile').map((tp) => tp.attrs.Id)).not.toContain(B2C_LAYER_PROFILES.acquireAccessToken);
    });
  }

  it('defines the layer claims (the bearer ones only for bearer) and the claims transformations', () => {
    const defined = descendants(layer, 'ClaimType').map((ct) => `${ct.attrs.Id}:${child(ct, 'DataType')!.text}`);
    const bearerClaims = ['bearerToken:string', 'grant_type:string', 'scope:string'];
    expect(defined).toEqual([
      'extension_requiresMigration:boolean',
      'migrationOutcome:string',
      'jitFoundInB2c:boolean',
      'jitNotInB2c:boolean',
      'jitCallApi:boolean',
      ...(bearer ? bearerClaims : []),
    ]);
    const transformations = descendants(layer, 'ClaimsTransformation').map((ct) => ({
      id: ct.attrs.Id,
      method: ct.attrs.TransformationMethod,
      inputs: childrenOf(ct, 'InputClaims', 'InputClaim').map((c) => `${c.attrs.ClaimTypeReferenceId}:${c.attrs.TransformationClaimType}`),
      outputs: childrenOf(ct, 'OutputClaims', 'OutputClaim').map((c) => `${c.attrs.ClaimTypeReferenceId}:${c.attrs.TransformationClaimType}`),
    }));
    expect(transformations).toEqual([
      { id: B2C_LAYER_TRANSFORMATIONS.foundInB2c, method: 'DoesClaimExist', inputs: ['objectId:inputClaim'], outputs: ['jitFoundInB2c:outputClaim'] },
      { id: B2C_LAYER_TRANSFORMATIONS.notInB2c, method: 'NotClaims', inputs: ['jitFoundInB2c:inputClaim'], outputs: ['jitNotInB2c:outputClaim'] },
      { id: B2C_LAYER_TRANSFORMATIONS.callApi, method: 'OrClaims', inputs: ['extension_requiresMigration:inputClaim1', 'jitNotInB2c:inputClaim2'], outputs: ['jitCallApi:outputClaim'] },
    ]);
  });

  it('reads the migration status by sign-in name without failing for a missing user', () => {
    const read = profile(layer, B2C_LAYER_PROFILES.readMigrationStatus);
    expect(metadata(read)).toEqual({ Operation: 'Read', RaiseErrorIfClaimsPrincipalDoesNotExist: 'false' });
    expect(claims(read, 'InputClaims')).toEqual([{ ClaimTypeReferenceId: 'signInName', PartnerClaimType: 'signInNames.emailAddress', Required: 'true' }]);
    expect(claims(read, 'OutputClaims')).toEqual([{ ClaimTypeReferenceId: 'objectId' }, { ClaimTypeReferenceId: 'extension_requiresMigration', DefaultValue: 'false' }]);
    expect(childrenOf(read, 'OutputClaimsTransformations', 'OutputClaimsTransformation').map((t) => t.attrs.ReferenceId)).toEqual(['JIT-FoundInB2c', 'JIT-NotInB2c', 'JIT-CallApi']);
    expect(child(read, 'IncludeTechnicalProfile')!.attrs.ReferenceId).toBe('AAD-Common');
  });

  it('sign-in page: status, legacy check, write or create, then login-NonInteractive, each with its preconditions', () => {
    const page = profile(layer, B2C_LAYER_PROFILES.signInPage);
    expect(metadata(page)).toMatchObject({ SignUpTarget: 'SignUpWithLogonEmailExchange', 'setting.operatingMode': 'Email', ContentDefinitionReferenceId: 'api.selfasserted' });
    expect(child(page, 'IncludeTechnicalProfile')).toBeUndefined(); // the base's list would run first
    expect(claims(page, 'OutputClaims').map((c) => c.ClaimTypeReferenceId)).toEqual(['signInName', 'password', 'objectId', 'authenticationSource']);
    expect(validationProfiles(page)).toEqual([
      { id: B2C_LAYER_PROFILES.readMigrationStatus, preconditions: [] },
      ...withToken({ id: B2C_LAYER_PROFILES.signIn, preconditions: [UNLESS_API_CALL] }),
      { id: B2C_LAYER_PROFILES.writePasswordAndClearFlag, preconditions: [UNLESS_MIGRATED, UNLESS_IN_B2C] },
      { id: B2C_LAYER_PROFILES.createMigratedUser, preconditions: [UNLESS_MIGRATED, IF_IN_B2C] },
      { id: B2C_STARTER_PACK.loginNonInteractive, preconditions: [] },
    ]);
  });

  it('sign-up page: the function refuses a legacy email before the account is written', () => {
    const page = profile(layer, B2C_LAYER_PROFILES.signUpPage);
    expect(metadata(page).ContentDefinitionReferenceId).toBe('api.localaccountsignup');
    expect(claims(page, 'OutputClaims').find((c) => c.ClaimTypeReferenceId === 'email')).toEqual({ ClaimTypeReferenceId: 'email', PartnerClaimType: 'Verified.Email', Required: 'true' });
    expect(validationProfiles(page)).toEqual([...withToken({ id: B2C_LAYER_PROFILES.signUp, preconditions: [] }), { id: B2C_STARTER_PACK.userWriteUsingLogonEmail, preconditions: [] }]);
  });

  it('password reset pages: discovery asks the function; the new password is written or the account created', () => {
    const discovery = profile(layer, B2C_LAYER_PROFILES.resetDiscoveryPage);
    expect(validationProfiles(discovery)).toEqual([{ id: B2C_LAYER_PROFILES.readByEmailForReset, preconditions: [] }, ...withToken({ id: B2C_LAYER_PROFILES.passwordReset, preconditions: [] })]);
    expect(claims(discovery, 'OutputClaims').map((c) => c.ClaimTypeReferenceId)).toEqual(expect.arrayContaining(['email', 'objectId', 'migrationOutcome', 'displayName', 'givenName', 'surname']));
    expect(metadata(profile(layer, B2C_LAYER_PROFILES.readByEmailForReset))).toEqual({ Operation: 'Read', RaiseErrorIfClaimsPrincipalDoesNotExist: 'false' });
    const write = profile(layer, B2C_LAYER_PROFILES.resetWritePasswordPage);
    expect(validationProfiles(write)).toEqual([
      { id: B2C_LAYER_PROFILES.writeNewPasswordAndClearFlag, preconditions: [UNLESS_IN_B2C] },
      { id: B2C_LAYER_PROFILES.createMigratedUserWithNewPassword, preconditions: [IF_IN_B2C, UNLESS_MIGRATED] },
    ]);
  });

  it.each([
    [B2C_LAYER_PROFILES.writePasswordAndClearFlag, 'password', 'RaiseErrorIfClaimsPrincipalDoesNotExist'],
    [B2C_LAYER_PROFILES.createMigratedUser, 'password', 'RaiseErrorIfClaimsPrincipalAlreadyExists'],
    [B2C_LAYER_PROFILES.writeNewPasswordAndClearFlag, 'newPassword', 'RaiseErrorIfClaimsPrincipalDoesNotExist'],
    [B2C_LAYER_PROFILES.createMigratedUserWithNewPassword, 'newPassword', 'RaiseErrorIfClaimsPrincipalAlreadyExists'],
  ])('%s writes %s with DisableStrongPassword and clears the flag', (id, passwordClaim, raise) => {
    const write = profile(layer, id);
    expect(metadata(write)).toEqual({ Operation: 'Write', [raise]: 'true' });
    const persisted = claims(write, 'PersistedClaims');
    expect(persisted).toEqual(
      expect.arrayContaining([
        { ClaimTypeReferenceId: passwordClaim, PartnerClaimType: 'password' },
        { ClaimTypeReferenceId: 'passwordPolicies', DefaultValue: 'DisablePasswordExpiration, DisableStrongPassword', AlwaysUseDefaultValue: 'true' },
        { ClaimTypeReferenceId: 'extension_requiresMigration', DefaultValue: 'false', AlwaysUseDefaultValue: 'true' },
      ]),
    );
    if (raise === 'RaiseErrorIfClaimsPrincipalAlreadyExists') {
      expect(persisted).toEqual(expect.arrayContaining([{ ClaimTypeReferenceId: 'email', PartnerClaimType: 'signInNames.emailAddress' }, { ClaimTypeReferenceId: 'givenName' }, { ClaimTypeReferenceId: 'surname' }]));
      expect(claims(write, 'OutputClaims')).toEqual(expect.arrayContaining([{ ClaimTypeReferenceId: 'objectId' }, { ClaimTypeReferenceId: 'newUser', PartnerClaimType: 'newClaimsPrincipalCreated' }]));
    } else {
      expect(claims(write, 'InputClaims')).toEqual([{ ClaimTypeReferenceId: 'objectId', Required: 'true' }]);
    }
    expect(child(write, 'IncludeTechnicalProfile')!.attrs.ReferenceId).toBe('AAD-Common');
  });

  it('builds both journeys from the layer pages, reading the user and issuing the token at the end', () => {
    const journeys = descendants(layer, 'UserJourney').map((journey) => ({
      id: journey.attrs.Id,
      steps: descendants(journey, 'OrchestrationStep').map((step) =>
        [step.attrs.Order, step.attrs.Type, ...descendants(step, 'ClaimsExchange').map((ce) => `${ce.attrs.Id}=${ce.attrs.TechnicalProfileReferenceId}`), step.attrs.CpimIssuerTechnicalProfileReferenceId ?? '', ...descendants(step, 'Precondition').map((p) => `${p.attrs.Type}:${p.attrs.ExecuteActionsIf}:${descendants(p, 'Value').map((v) => v.text).join(',')}`)].join(' '),
      ),
    }));
    expect(journeys).toEqual([
      {
        id: 'JIT-SignUpOrSignIn',
        steps: [
          `1 CombinedSignInAndSignUp LocalAccountSigninEmailExchange=${B2C_LAYER_PROFILES.signInPage} `,
          `2 ClaimsExchange SignUpWithLogonEmailExchange=${B2C_LAYER_PROFILES.signUpPage}  ClaimsExist:true:objectId`,
          '3 ClaimsExchange AADUserReadWithObjectId=AAD-UserReadUsingObjectId ',
          '4 SendClaims JwtIssuer',
        ],
      },
      {
        id: 'JIT-PasswordReset',
        steps: [
          `1 ClaimsExchange PasswordResetUsingEmailAddressExchange=${B2C_LAYER_PROFILES.resetDiscoveryPage} `,
          `2 ClaimsExchange NewCredentials=${B2C_LAYER_PROFILES.resetWritePasswordPage} `,
          '3 ClaimsExchange AADUserReadWithObjectId=AAD-UserReadUsingObjectId ',
          '4 SendClaims JwtIssuer',
        ],
      },
    ]);
  });

  it('references only profiles it defines or the starter pack has, each id defined once', () => {
    const defined = descendants(layer, 'TechnicalProfile').map((tp) => tp.attrs.Id!);
    expect(new Set(defined).size).toBe(defined.length);
    const referenced = [
      ...descendants(layer, 'ValidationTechnicalProfile').map((n) => n.attrs.ReferenceId!),
      ...descendants(layer, 'ClaimsExchange').map((n) => n.attrs.TechnicalProfileReferenceId!),
      ...descendants(layer, 'IncludeTechnicalProfile').map((n) => n.attrs.ReferenceId!),
      ...descendants(layer, 'UseTechnicalProfileForSessionManagement').map((n) => n.attrs.ReferenceId!),
    ];
    const known = new Set<string>([...defined, ...Object.values(B2C_STARTER_PACK)]);
    expect(referenced.filter((id) => !known.has(id))).toEqual([]);
  });
});

describe('generateB2cPolicies output', () => {
  it('is byte-identical for the same options, and for the same options written differently', () => {
    const first = generateB2cPolicies(OPTIONS).files;
    expect(generateB2cPolicies({ ...OPTIONS }).files).toEqual(first);
    const spelledDifferently = generateB2cPolicies({
      ...OPTIONS,
      tenant: 'Contoso.OnMicrosoft.com',
      apiUrl: 'https://FUNC-JIT.azurewebsites.net:443/',
      extensionsAppClientId: OPTIONS.extensionsAppClientId.toUpperCase(),
      apiAppId: OPTIONS.apiAppId!.toUpperCase(),
    }).files;
    expect(spelledDifferently).toEqual(first);
  });

  it('changes only where an option changes', () => {
    const a = generateB2cPolicies(optionsFor('basic')).files[0]!.xml.split('\n');
    const b = generateB2cPolicies({ ...optionsFor('basic'), apiUrl: 'https://other.example.com' }).files[0]!.xml.split('\n');
    expect(a).toHaveLength(b.length);
    const changed = a.filter((line, index) => line !== b[index]);
    expect(changed).toHaveLength(FUNCTION_CALLS.length);
    for (const line of changed) expect(line).toContain('<Item Key="ServiceUrl">https://func-jit.azurewebsites.net/api/b2c/');
  });

  it('escapes every inserted value: the messages and the scope come back exactly', () => {
    const message = `Tom & Jerry's <b>"API"</b> > 'down'`;
    const scope = 'api://contoso.example/a&b<c>"d\'/.default';
    const { layer, files } = generated({
      ...OPTIONS,
      apiAppId: undefined,
      apiScope: scope,
      userMessages: { requestFailed: message, circuitOpen: message, dnsResolutionFailed: message, requestTimeout: message },
    });
    for (const [id] of FUNCTION_CALLS) {
      expect(metadata(profile(layer, id))).toMatchObject({ DefaultUserMessageIfRequestFailed: message, UserMessageIfCircuitOpen: message, UserMessageIfDnsResolutionFailed: message, UserMessageIfRequestTimeout: message });
    }
    expect(claims(profile(layer, B2C_LAYER_PROFILES.acquireAccessToken), 'InputClaims')[1]!.DefaultValue).toBe(scope);
    expect(files[0]!.xml).not.toContain('<b>');
    expect(files[0]!.xml).toContain(`>Tom &amp; Jerry's &lt;b&gt;"API"&lt;/b&gt; &gt; 'down'</Item>`);
  });

  it('uses the given base policy, prefix and API key header, and names the policy keys after the prefix', () => {
    const { files, layer, signIn } = generated({ ...optionsFor('apiKey'), basePolicy: 'B2C_1A_TrustFrameworkExtensions_Custom', policyPrefix: 'B2C_1A_Contoso', apiKeyHeader: 'X-Functions-Key' });
    expect(files.map((file) => file.policyId)).toEqual(['B2C_1A_Contoso_Migration', 'B2C_1A_Contoso_SignUpOrSignIn', 'B2C_1A_Contoso_PasswordReset']);
    expect(child(child(layer, 'BasePolicy')!, 'PolicyId')!.text).toBe('B2C_1A_TrustFrameworkExtensions_Custom');
    expect(child(child(signIn, 'BasePolicy')!, 'PolicyId')!.text).toBe('B2C_1A_Contoso_Migration');
    expect(keys(profile(layer, B2C_LAYER_PROFILES.signIn))).toEqual({ 'X-Functions-Key': 'B2C_1A_Contoso_ApiKey' });
  });

  it('gives two prefixes no policy key in common, for every auth type (two stacks in one B2C tenant)', () => {
    for (const auth of B2C_API_AUTHS) {
      const names = (policyPrefix: string): string[] => {
        const result = generateB2cPolicies({ ...optionsFor(auth), policyPrefix });
        // The keys the XML reads besides the starter pack's own (its token signing and encryption containers).
        const referenced = result.files
          .flatMap((file) => [...file.xml.matchAll(/StorageReferenceId="([^"]+)"/g)].map((m) => m[1]!))
          .filter((name) => !/^B2C_1A_Token(Signing|Encryption)KeyContainer$/.test(name));
        // Every one is a key the generator lists for creation, and the reverse.
        expect([...new Set(referenced)].sort()).toEqual(result.policyKeys.map((key) => key.name).sort());
        return referenced;
      };
      const dev = names('B2C_1A_JIT_dev');
      const prod = names('B2C_1A_JIT_prod');
      expect(dev.filter((name) => prod.includes(name))).toEqual([]);
    }
  });

  it('lists the policy keys of each auth type', () => {
    const names = (auth: B2cApiAuth) => generateB2cPolicies(optionsFor(auth)).policyKeys.map((key) => key.name);
    expect(names('bearer')).toEqual(['B2C_1A_JIT_ApiClientId', 'B2C_1A_JIT_ApiClientSecret']);
    expect(names('basic')).toEqual(['B2C_1A_JIT_ApiUsername', 'B2C_1A_JIT_ApiPassword']);
    expect(names('clientCertificate')).toEqual(['B2C_1A_JIT_ApiClientCertificate']);
    expect(names('apiKey')).toEqual(['B2C_1A_JIT_ApiKey']);
  });
});
