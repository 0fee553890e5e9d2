import { GraphClient, staticToken } from '../../../lib/graph';
import { ScriptedServer } from '../../../test/emulators/graph/scripted';
import { UNKNOWN } from './common';
import { createTrustFrameworkKeySetProvider, type TrustFrameworkKeySetInputs, type TrustFrameworkKeySetOutputs } from './trustFrameworkKeySet';
import { checked, startHarness, type Harness } from './testSupport';

type Json = Record<string, any>;
const SECRET = 'Zq8-generated-basic-password-4c1e7a9b';
const ROTATED = 'Zq8-rotated-basic-password-77f0d2e1aa';
const PFX = Buffer.from('not a real pfx, the emulator checks base-64 only').toString('base64');

describe('graphTrustFrameworkKeySet provider', () => {
  let harness: Harness;
  let provider: ReturnType<typeof createTrustFrameworkKeySetProvider>;
  const keySet = (id = 'B2C_1A_JitApiPassword') => harness.emulator.trustFrameworkKeySets.get(id.toLowerCase()) as { id: string; keys: Json[] } | undefined;
  const raw = (extra: Json = {}) => ({ ...harness.target, keySetId: 'JitApiPassword', use: 'enc', secret: SECRET, ...extra });
  const inputs = (extra: Json = {}) => checked<TrustFrameworkKeySetInputs>(provider, raw(extra));
  const failures = async (news: Json) => (await provider.check!({} as TrustFrameworkKeySetInputs, news as never)).failures ?? [];
  const create = async (extra: Json = {}) => {
    const { id, outs } = await provider.create(await inputs(extra));
    return { id, outs: outs as TrustFrameworkKeySetOutputs };
  };

  beforeEach(async () => {
    harness = await startHarness();
    provider = createTrustFrameworkKeySetProvider(harness.clientFor);
  });
  afterEach(() => harness.stop());

  it('checks the inputs, naming the fix and never the secret', async () => {
    // B2C adds the prefix: one given is dropped rather than doubled.
    expect(await inputs({ keySetId: 'B2C_1A_JitApiPassword' })).toEqual({ ...harness.target, keySetId: 'JitApiPassword', use: 'enc', secret: SECRET });
    expect(await inputs({ secret: UNKNOWN })).toMatchObject({ secret: UNKNOWN });
    const all = [
      ...(await failures(raw({ tenantId: 'contosob2c.onmicrosoft.com' }))),
      ...(await failures(raw({ keySetId: 'Jit-Api', use: 'encryption' }))),
      ...(await failures(raw({ pkcs12: { key: PFX, password: 'p' } }))),
      ...(await failures(raw({ secret: undefined }))),
      ...(await failures(raw({ secret: '' }))),
      ...(await failures(raw({ secret: undefined, use: 'enc', pkcs12: { key: 'not base64!', password: 'p' } }))),
    ];
    expect(all).toEqual([
      { property: 'tenantId', reason: expect.stringMatching(/must be a GUID.*set it to the B2C tenant ID/) },
      { property: 'keySetId', reason: expect.stringMatching(/only letters, digits and underscores/) },
      { property: 'use', reason: expect.stringMatching(/"sig" or "enc"/) },
      { property: 'pkcs12', reason: expect.stringMatching(/exactly one of secret .* and pkcs12/) },
      { property: 'secret', reason: expect.stringMatching(/exactly one of secret .* and pkcs12/) },
      { property: 'secret', reason: 'secret must be a non-empty string' },
      { property: 'pkcs12', reason: expect.stringMatching(/base-64 encoded \.pfx/) },
      { property: 'use', reason: expect.stringMatching(/signature key: set use to "sig"/) },
    ]);
    expect(JSON.stringify(all)).not.toContain(SECRET);
  });

  it('creates B2C_1A_{id}, uploads the secret, and reports the active kid', async () => {
    const { id, outs } = await create();
    expect(id).toBe('B2C_1A_JitApiPassword');
    const stored = keySet();
    expect(stored?.keys).toEqual([expect.objectContaining({ kty: 'oct', use: 'enc', k: SECRET })]);
    expect(outs).toEqual({ ...harness.target, keySetId: 'B2C_1A_JitApiPassword', use: 'enc', secret: SECRET, kid: stored?.keys[0]?.kid });
    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });
  });

  it('uploads a .pfx with uploadPkcs12 as a signature key', async () => {
    const { outs } = await create({ keySetId: 'JitApiClientCertificate', use: 'sig', secret: undefined, pkcs12: { key: PFX, password: 'pfx-password' } });
    expect(keySet('B2C_1A_JitApiClientCertificate')?.keys).toEqual([expect.objectContaining({ kty: 'RSA', use: 'sig', key: PFX, password: 'pfx-password', kid: outs.kid })]);
  });

  it('diffs: unchanged is no change, a new secret is an update that uploads a new active key, a new name is a replace', async () => {
    const { id, outs } = await create();
    expect(await provider.diff!(id, outs, await inputs())).toEqual({ changes: false });
    expect(await provider.diff!(id, outs, await inputs({ keySetId: 'B2C_1A_JitApiPassword' }))).toEqual({ changes: false });

    const rotated = await inputs({ secret: ROTATED });
    const diff = await provider.diff!(id, outs, rotated);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    // Names only: a diff never carries a value.
    expect(JSON.stringify(diff)).not.toMatch(new RegExp(`${SECRET}|${ROTATED}`));
    const { outs: updated } = await provider.update!(id, outs, rotated);
    const keys = keySet()?.keys ?? [];
    expect(keys.map((key) => key.k)).toEqual([SECRET, ROTATED]);
    expect(updated).toEqual({ ...outs, secret: ROTATED, kid: keys[1]?.kid });
    expect(updated?.kid).not.toBe(outs.kid);

    // Only the Graph URL's spelling changed: nothing to upload.
    expect((await provider.update!(id, updated!, { ...rotated, graphBaseUrl: 'https://graph.microsoft.com' })).outs?.kid).toBe(updated?.kid);
    expect(keySet()?.keys).toHaveLength(2);
    expect(await provider.diff!(id, updated!, await inputs({ secret: ROTATED, keySetId: 'JitApiUsername' }))).toMatchObject({ changes: true, replaces: ['keySetId'] });
  });

  it('refresh: a deleted set is gone, an emptied one is uploaded again on the next up', async () => {
    const { id, outs } = await create();
    keySet()!.keys.length = 0;
    const refreshed = (await provider.read!(id, outs)).props as TrustFrameworkKeySetOutputs;
    expect(refreshed.kid).toBe('');
    expect(await provider.diff!(id, refreshed, await inputs())).toMatchObject({ changes: true, replaces: [] });
    const { outs: updated } = await provider.update!(id, refreshed, await inputs());
    expect(keySet()?.keys).toEqual([expect.objectContaining({ k: SECRET, kid: updated?.kid })]);

    await provider.delete!(id, updated!);
    expect(keySet()).toBeUndefined();
    expect(await provider.read!(id, updated)).toEqual({ id: '', props: {} });
    await expect(provider.delete!(id, updated!)).resolves.toBeUndefined();
  });

  it('adopts the set a crashed run created (409) and makes our key the active one', async () => {
    const crashed = await harness.raw('POST', '/trustFramework/keySets', { version: 'beta', body: { id: 'JitApiPassword' } });
    expect(crashed.status).toBe(201);
    expect((await harness.raw('POST', '/trustFramework/keySets', { version: 'beta', body: { id: 'JitApiPassword' } })).status).toBe(409);
    const { id, outs } = await create();
    expect(id).toBe(crashed.body.id);
    expect(harness.emulator.trustFrameworkKeySets.size).toBe(1);
    expect(keySet()?.keys).toEqual([expect.objectContaining({ k: SECRET, kid: outs.kid })]);
  });

  it('waits out a 429 storm, 503s, and the replication delay after the create', async () => {
    await harness.throttleWrites();
    harness.emulator.setFaults({ serverErrorRate: 0.3, seed: 7, notFoundAfterCreateMs: 150 });
    const { outs } = await create();
    expect(keySet()?.keys).toEqual([expect.objectContaining({ k: SECRET, kid: outs.kid })]);
    expect(harness.emulator.stats.throttled).toBeGreaterThan(0);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
    expect(harness.emulator.trustFrameworkKeySets.size).toBe(1);
  });

  it('never puts the secret in an error, even when Graph echoes it back', async () => {
    const scripted = await ScriptedServer.start((request) =>
      request.url.endsWith('/trustFramework/keySets')
        ? { status: 201, body: { id: 'B2C_1A_JitApiPassword', keys: [] } }
        : { status: 400, body: { error: { code: 'AADB2C', message: `The key '${JSON.parse(request.body).k}' is too short.` } } },
    );
    try {
      const echoing = createTrustFrameworkKeySetProvider(() => new GraphClient({ baseUrl: scripted.url, token: staticToken('t'), sleep: async () => undefined }));
      const error = (await echoing.create(await inputs()).catch((caught: Error) => caught)) as Error;
      expect(error.message).toMatch(/Graph refused POST \/trustFramework\/keySets\/B2C_1A_JitApiPassword\/uploadSecret \(HTTP 400\): The key '\[redacted\]' is too short/);
      expect(`${error.message}\n${error.stack}`).not.toContain(SECRET);
      // The secret went to Graph, and only in the body of the upload.
      expect(scripted.requests.filter((request) => request.body.includes(SECRET)).map((request) => request.url)).toEqual(['/beta/trustFramework/keySets/B2C_1A_JitApiPassword/uploadSecret']);
    } finally {
      await scripted.stop();
    }
  });
});
