/** Negative suite for CallerAuthenticator: every way a caller other than Entra's Authentication Events service might try. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../../src/crypto/certificate';
import { KeyRing } from '../../src/crypto/keyRing';
import { AuthenticationError, CallerAuthenticator, type CallerAuthenticatorOptions } from '../../src/pipeline/authenticate';
import { FakeEntra } from '../support/fakeEntra';

const TENANT = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const OTHER_TENANT = '0d5e1f2a-7b3c-4d8e-9f0a-1b2c3d4e5f60';
const APP = 'c0ffee00-1234-4abc-9def-0123456789ab';

let entra: FakeEntra;
let cert: EncryptionCertificate;
let stranger: EncryptionCertificate;
let ring: KeyRing;
let authenticator: CallerAuthenticator;

const create = (options: Partial<CallerAuthenticatorOptions> = {}) =>
  new CallerAuthenticator({ tenantId: TENANT, extensionAppId: APP, metadataUrls: [entra.metadataUrl], keyRing: ring, ...options });
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  [entra, cert, stranger] = await Promise.all([
    FakeEntra.start({ tenantId: TENANT, extensionAppId: APP }),
    generateEncryptionCertificate(),
    generateEncryptionCertificate(),
  ]);
  ring = KeyRing.fromPem(`${cert.privateKeyPem}${cert.certificatePem}`);
  authenticator = create();
  // Sanity: the baseline token passes, so each refusal below is caused by the one thing changed.
  await authenticator.authenticate(`Bearer ${await entra.mintAccessToken()}`);
});
afterAll(() => entra.stop());

/** Refused with an AuthenticationError matching `reason`, whose message quotes nothing from the token. */
async function expectRefused(header: string | undefined, reason: RegExp, target: CallerAuthenticator = authenticator): Promise<void> {
  const error = await target.authenticate(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  const message = (error as Error).message;
  expect(message).toMatch(reason);
  for (const part of (header ?? '').replace(/^\S+\s+/, '').split('.')) {
    if (part.length >= 8) expect(message).not.toContain(part.slice(0, 8));
  }
}
const refuseToken = async (token: string | Promise<string>, reason: RegExp, target?: CallerAuthenticator) => expectRefused(`Bearer ${await token}`, reason, target);

describe('signature', () => {
  it('refuses a forged signature (right kid, key not in the JWKS)', async () => {
    await refuseToken(entra.mintAccessToken({ signWithUnknownKey: true }), /signature is invalid/);
  });

  it('refuses a kid that no trusted JWKS publishes', async () => {
    await refuseToken(entra.mintAccessToken({ kid: 'not-published', signWithUnknownKey: true }), /no trusted signing key/);
  });

  it('refuses a token from another tenant (its own keys, its own issuer)', async () => {
    const other = await FakeEntra.start({ tenantId: OTHER_TENANT, extensionAppId: APP });
    try {
      await refuseToken(other.mintAccessToken(), /no trusted signing key/);
      await refuseToken(other.mintAccessToken({ claims: { tid: TENANT, iss: entra.issuer } }), /no trusted signing key/);
    } finally {
      await other.stop();
    }
  });

  it('refuses alg none (unsigned) before fetching anything', async () => {
    const fresh = create();
    const before = { ...entra.stats };
    const unsigned = await entra.mintAccessToken({ header: { alg: 'none' } });
    expect(unsigned.endsWith('.')).toBe(true);
    await refuseToken(unsigned, /neither a JWS nor a JWE/, fresh);
    // The same with something in the signature slot, and other spellings of none.
    for (const alg of ['none', 'None', 'NONE']) await refuseToken(`${unsigned.split('.').slice(0, 2).join('.').replace(/^[^.]+/, b64({ alg, typ: 'JWT', kid: entra.signingKeyIds[0] }))}.c2ln`, /algorithm is not allowed/, fresh);
    expect(entra.stats).toEqual(before);
  });

  it.each(['HS256', 'HS384', 'HS512'])('refuses %s signed with the public key as the HMAC secret', async (alg) => {
    await refuseToken(entra.mintAccessToken({ header: { alg } }), /algorithm is not allowed/);
  });

  it.each(['ES256', 'EdDSA', 'RSA-OAEP', 'rs256', ''])('refuses header alg %p', async (alg) => {
    await refuseToken(`${b64({ alg, kid: entra.signingKeyIds[0] })}.${b64({ exp: now() + 60 })}.c2ln`, /algorithm is not allowed/);
  });

  it('refuses a header without kid', async () => {
    await refuseToken(entra.mintAccessToken({ header: { kid: undefined } }), /no kid/);
  });

  it('refuses a signature stripped or swapped from another token', async () => {
    const [a, b] = await Promise.all([entra.mintAccessToken(), entra.mintAccessToken({ claims: { aud: 'someone-else' } })]);
    const [h, p] = b.split('.');
    await refuseToken(`${h}.${p}.`, /malformed|neither/);
    await refuseToken(`${h}.${p}.${a.split('.')[2]}`, /signature is invalid/);
  });
});

describe('lifetime', () => {
  it('refuses an expired token (beyond the 60 s skew)', async () => {
    await refuseToken(entra.mintAccessToken({ claims: { exp: now() - 120 } }), /expired/);
  });

  it('refuses a token that is not yet valid', async () => {
    await refuseToken(entra.mintAccessToken({ claims: { nbf: now() + 600 } }), /nbf/);
  });

  it('refuses a token without exp', async () => {
    await refuseToken(entra.mintAccessToken({ omitClaims: ['exp'] }), /exp/);
  });

  it('refuses a non-numeric exp', async () => {
    await refuseToken(entra.mintAccessToken({ claims: { exp: 'tomorrow' } }), /exp|malformed/);
  });
});

describe('claims', () => {
  it.each([
    ['another app', 'd3adb33f-0000-4000-8000-000000000000'],
    ['Microsoft Graph', 'https://graph.microsoft.com'],
    ['an identifier URI that is not configured', `api://evil.example/${APP}`],
  ])('refuses the audience of %s', async (_name, aud) => {
    await refuseToken(entra.mintAccessToken({ claims: { aud } }), /aud/);
  });

  it('refuses a missing audience', async () => {
    await refuseToken(entra.mintAccessToken({ omitClaims: ['aud'] }), /aud/);
  });

  it('refuses a token issued to another client (azp)', async () => {
    await refuseToken(entra.mintAccessToken({ claims: { azp: APP } }), /azp/);
  });

  it('refuses a v1 token issued to another client (appid)', async () => {
    await refuseToken(entra.mintAccessToken({ claims: { appid: APP, ver: '1.0' }, omitClaims: ['azp'] }), /azp\/appid/);
  });

  it('refuses azp and appid that disagree, and a token with neither', async () => {
    await refuseToken(entra.mintAccessToken({ claims: { appid: APP } }), /azp\/appid/);
    await refuseToken(entra.mintAccessToken({ omitClaims: ['azp'] }), /neither azp nor appid/);
  });

  it('refuses another tenant id, and none', async () => {
    await refuseToken(entra.mintAccessToken({ claims: { tid: OTHER_TENANT } }), /tid/);
    await refuseToken(entra.mintAccessToken({ omitClaims: ['tid'] }), /tid/);
  });

  it.each([
    ['another tenant on ciamlogin.com', `https://${OTHER_TENANT}.ciamlogin.com/${OTHER_TENANT}/v2.0`],
    ['another tenant path on our host', `https://${TENANT}.ciamlogin.com/${OTHER_TENANT}/v2.0`],
    ['a nested subdomain', `https://a.b.ciamlogin.com/${TENANT}/v2.0`],
    ['a look-alike domain', `https://contoso.ciamlogin.com.evil.example/${TENANT}/v2.0`],
    ['http', `http://login.microsoftonline.com/${TENANT}/v2.0`],
    ['a trailing slash', `https://login.microsoftonline.com/${TENANT}/v2.0/`],
    ['the v1 issuer', `https://sts.windows.net/${TENANT}/`],
    ['the common endpoint', 'https://login.microsoftonline.com/{tenantid}/v2.0'],
    ['an attacker', `https://evil.example/${TENANT}/v2.0`],
    ['a non-string', 42],
    ['another subdomain of ciamlogin.com', `https://evil.ciamlogin.com/${TENANT}/v2.0`],
    ['the configured subdomain spelt otherwise', `https://contoso-eu.ciamlogin.com/${TENANT}/v2.0`],
    ['our host with a suffix', `https://${TENANT}.ciamlogin.com.evil.net/${TENANT}/v2.0`],
    ['our subdomain with a suffix', `https://contoso.ciamlogin.com.evil.net/${TENANT}/v2.0`],
    ["another tenant's ids on login.microsoftonline.com", `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`],
    ['the v1 issuer without the slash', `https://sts.windows.net/${TENANT}`],
    ['a trailing slash on ciamlogin.com', `https://${TENANT}.ciamlogin.com/${TENANT}/v2.0/`],
    ['the tenant id in upper case', `https://${TENANT.toUpperCase()}.ciamlogin.com/${TENANT.toUpperCase()}/v2.0`],
    ['the host in another case', `https://Login.MicrosoftOnline.com/${TENANT}/v2.0`],
    ['the scheme in upper case', `HTTPS://login.microsoftonline.com/${TENANT}/v2.0`],
    ['the subdomain in upper case', `https://CONTOSO.ciamlogin.com/${TENANT}/v2.0`],
    ['a port', `https://login.microsoftonline.com:443/${TENANT}/v2.0`],
    ['a user-info part', `https://login.microsoftonline.com@evil.example/${TENANT}/v2.0`],
  ])('refuses the issuer of %s, with the subdomain configured or not', async (_name, iss) => {
    await refuseToken(entra.mintAccessToken({ claims: { iss } }), /issuer|iss/);
    await refuseToken(entra.mintAccessToken({ claims: { iss } }), /issuer|iss/, create({ tenantSubdomain: 'contoso' }));
  });

  describe('with the default metadata documents (not overridden)', () => {
    // The two default documents are served from the fake tenant through a fetch that sees only those URLs, so
    // their `issuer` (a loopback host) is a statement by a document the operator did not name.
    let spy: jest.SpyInstance;
    beforeAll(() => {
      const realFetch = globalThis.fetch;
      spy = jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        const defaults = [`https://${TENANT}.ciamlogin.com/${TENANT}/v2.0/.well-known/openid-configuration`, `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`];
        return realFetch(defaults.includes(url) ? entra.metadataUrl : input, init);
      });
    });
    afterAll(() => spy.mockRestore());
    const defaults = () => new CallerAuthenticator({ tenantId: TENANT, extensionAppId: APP, keyRing: ring });

    it('accepts the allow-listed issuers', async () => {
      const iss = `https://${TENANT}.ciamlogin.com/${TENANT}/v2.0`;
      await expect(defaults().authenticate(`Bearer ${await entra.mintAccessToken({ claims: { iss } })}`)).resolves.toMatchObject({ issuer: iss });
    });

    it('does not trust an issuer that a default document states but the allow-list lacks', async () => {
      await refuseToken(entra.mintAccessToken(), /issuer/, defaults());
    });
  });

  it('refuses a token without issuer', async () => {
    await refuseToken(entra.mintAccessToken({ omitClaims: ['iss'] }), /iss/);
  });
});

describe('the Authorization header', () => {
  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['Basic', 'Basic dXNlcjpwYXNz'],
    ['Negotiate', 'Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAu'],
    ['a bare token', 'eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln'],
    ['Bearer without token', 'Bearer '],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['a token with a comma', 'Bearer a.b.c,'],
    ['a newline', 'Bearer a.b.c\n'],
    ['Bearer with a tab', 'Bearer\ta.b.c'],
  ])('refuses %s', async (_name, header) => {
    await expectRefused(header, /Authorization|Bearer/);
  });

  it.each([
    ['one part', 'garbage'],
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['six parts', 'a.b.c.d.e.f'],
    ['empty parts', '..'],
    ['a header that is not JSON', 'bm90IGpzb24.e30.c2ln'],
    ['a payload that is not JSON', `${b64({ alg: 'RS256', kid: 'k' })}.bm90IGpzb24.c2ln`],
  ])('refuses garbage: %s', async (_name, token) => {
    await refuseToken(token, /bearer token/);
  });

  it('refuses an oversized header without parsing it', async () => {
    await refuseToken('a'.repeat(40_000), /too long/);
  });
});

describe('encrypted bearer tokens (JWE)', () => {
  it('refuses a JWE encrypted to another key', async () => {
    await refuseToken(entra.mintAccessToken({ encryptToCertificatePem: stranger.certificatePem }), /could not be decrypted/);
  });

  it('refuses a JWE around a token that fails validation', async () => {
    await refuseToken(entra.mintAccessToken({ encryptToCertificatePem: cert.certificatePem, signWithUnknownKey: true }), /signature is invalid/);
    await refuseToken(entra.mintAccessToken({ encryptToCertificatePem: cert.certificatePem, claims: { exp: now() - 3600 } }), /expired/);
    await refuseToken(entra.mintAccessToken({ encryptToCertificatePem: cert.certificatePem, header: { alg: 'none' } }), /not allowed|signed JWT/);
  });

  it('refuses a JWE whose content is not a JWS, or is declared as something else', async () => {
    const jwe = await entra.encryptPasswordContext({ username: 'a', password: 'b', nonce: 'c' }, cert.certificatePem);
    await refuseToken(jwe, /signed JWT/);
    const plain = await entra.encryptPasswordContext({ username: 'a', password: 'b', nonce: 'c' }, cert.certificatePem, { plainJson: true });
    await refuseToken(plain, /signed JWT/);
  });

  it('refuses a disallowed encryption algorithm', async () => {
    await refuseToken(entra.mintAccessToken({ encryptToCertificatePem: cert.certificatePem, encryptEnc: 'A192GCM' }), /could not be decrypted/);
  });

  it('refuses a tampered JWE', async () => {
    const parts = (await entra.mintAccessToken({ encryptToCertificatePem: cert.certificatePem })).split('.');
    const ciphertext = Buffer.from(parts[3]!, 'base64url');
    ciphertext[0]! ^= 1;
    parts[3] = ciphertext.toString('base64url');
    await refuseToken(parts.join('.'), /could not be decrypted/);
  });
});

describe('key rotation', () => {
  it('picks up a key Entra adds after the first call, without a restart (JWKS refresh on unknown kid)', async () => {
    const rotating = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
    try {
      const auth = create({ metadataUrls: [rotating.metadataUrl], jwksRefreshCooldownMs: 0 });
      await auth.authenticate(`Bearer ${await rotating.mintAccessToken()}`);
      expect(rotating.stats.jwksRequests).toBe(1);

      await rotating.addSigningKey({ makeCurrent: true });
      await expect(auth.authenticate(`Bearer ${await rotating.mintAccessToken()}`)).resolves.toBeDefined();
      expect(rotating.stats.jwksRequests).toBe(2);
      // Known keys do not cause further fetches.
      await auth.authenticate(`Bearer ${await rotating.mintAccessToken()}`);
      expect(rotating.stats.jwksRequests).toBe(2);
    } finally {
      await rotating.stop();
    }
  });

  it('does not let unknown kids hammer the JWKS endpoint (cooldown)', async () => {
    const rotating = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
    try {
      const auth = create({ metadataUrls: [rotating.metadataUrl] }); // default 30 s cooldown
      await auth.authenticate(`Bearer ${await rotating.mintAccessToken()}`);
      for (let i = 0; i < 5; i += 1) {
        await refuseToken(rotating.mintAccessToken({ kid: `unknown-${i}`, signWithUnknownKey: true }), /no trusted signing key/, auth);
      }
      expect(rotating.stats.jwksRequests).toBe(1);
    } finally {
      await rotating.stop();
    }
  });
});

describe('outages never crash, they refuse', () => {
  it('refuses when the metadata endpoint is down, and recovers after it is back', async () => {
    const down = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
    try {
      down.available = false;
      const auth = create({ metadataUrls: [down.metadataUrl] });
      const token = await down.mintAccessToken();
      await refuseToken(token, /metadata/, auth);
      down.available = true;
      // Within the retry window the failure is remembered (no request per call) ...
      await refuseToken(token, /metadata/, auth);
      expect(down.stats.metadataRequests).toBe(0);
      // ... and after it, the next call fetches again.
      const realNow = Date.now.bind(Date);
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 6000);
      try {
        await expect(auth.authenticate(`Bearer ${token}`)).resolves.toBeDefined();
      } finally {
        clock.mockRestore();
      }
    } finally {
      await down.stop();
    }
  });

  it('refuses when the JWKS endpoint fails', async () => {
    const down = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
    try {
      const auth = create({ metadataUrls: [down.metadataUrl] });
      await auth.prefetch();
      down.available = false;
      await refuseToken(down.mintAccessToken({ kid: 'rotated-meanwhile', signWithUnknownKey: true }), /no trusted signing key|could not be fetched/, auth);
    } finally {
      await down.stop();
    }
  });

  describe('with a misbehaving metadata host', () => {
    let server: Server;
    let origin: string;
    let behaviour: (url: string) => { status: number; body?: string; headers?: Record<string, string> } | 'hang';

    beforeAll(async () => {
      server = createServer((request, response) => {
        const answer = behaviour(request.url ?? '/');
        if (answer === 'hang') return; // never answers
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(answer.body ?? '');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const auth = () => create({ metadataUrls: [`${origin}/${TENANT}/v2.0/.well-known/openid-configuration`], fetchTimeoutMs: 200 });

    it('refuses within the timeout when the host never answers', async () => {
      behaviour = () => 'hang';
      const started = Date.now();
      await refuseToken(entra.mintAccessToken(), /metadata/, auth());
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it.each([
      ['not JSON', { status: 200, body: '<html>' }],
      ['no jwks_uri', { status: 200, body: JSON.stringify({ issuer: 'x' }) }],
      ['an http jwks_uri off loopback', { status: 200, body: JSON.stringify({ issuer: 'x', jwks_uri: 'http://keys.example/keys' }) }],
      ['a redirect', { status: 302, headers: { location: 'https://evil.example/metadata' } }],
      ['a server error', { status: 500 }],
    ])('refuses when the metadata document is %s', async (_name, answer) => {
      behaviour = () => answer;
      await refuseToken(entra.mintAccessToken(), /metadata/, auth());
    });

    it('refuses when the JWKS is not a key set, or hangs', async () => {
      for (const jwks of [{ status: 200, body: '{"keys":"nope"}' }, 'hang' as const]) {
        behaviour = (url) => (url.includes('openid-configuration') ? { status: 200, body: JSON.stringify({ issuer: entra.issuer, jwks_uri: `${origin}/keys` }) } : jwks);
        await refuseToken(entra.mintAccessToken(), /could not be fetched/, auth());
      }
    });
  });
});
