/**
 * The five providers in the order `pulumi up` runs them, against one emulated fresh External ID tenant; then
 * a second `up` with the same program (no diffs), then `pulumi destroy` in reverse dependency order.
 */
import { AUTHENTICATION_EVENTS_APP_ID } from '../../../lib/graph';
import { createApplicationEncryptionKeyProvider, type ApplicationEncryptionKeyInputs } from './applicationEncryptionKey';
import { createCustomAuthenticationExtensionProvider, type CustomAuthenticationExtensionInputs } from './customAuthenticationExtension';
import { createEventListenerProvider, type EventListenerInputs } from './eventListener';
import { createExtensionPropertyProvider, type ExtensionPropertyInputs } from './extensionProperty';
import { createServicePrincipalProvider, type ServicePrincipalInputs } from './servicePrincipal';
import { checked, startHarness, testCertificate, type Harness } from './testSupport';

const HOST = 'func-jitmig-dev.azurewebsites.net';

describe('the Graph providers together: up, up again, destroy', () => {
  let harness: Harness;
  afterEach(() => harness.stop());

  it('creates the JIT objects in a fresh tenant, changes nothing on a second run, and destroy keeps the SP and the flag', async () => {
    harness = await startHarness();
    const { clientFor, target, emulator, raw } = harness;
    const providers = {
      principal: createServicePrincipalProvider(clientFor),
      flag: createExtensionPropertyProvider(clientFor),
      key: createApplicationEncryptionKeyProvider(clientFor),
      extension: createCustomAuthenticationExtensionProvider(clientFor),
      listener: createEventListenerProvider(clientFor),
    };
    // What azuread creates: the extension API app with its identifier URI and service principal, and a client app.
    const api = (await raw('POST', '/applications', { body: { displayName: 'JIT extension API' } })).body;
    const resourceId = `api://${HOST}/${api.appId}`;
    await raw('PATCH', `/applications/${api.id}`, { body: { identifierUris: [resourceId], api: { requestedAccessTokenVersion: 2 } } });
    await raw('POST', '/servicePrincipals', { body: { appId: api.appId } });
    const client = (await raw('POST', '/applications', { body: { displayName: 'test client' } })).body;
    const certificate = await testCertificate();
    emulator.setFaults({ serverErrorRate: 0.15, seed: 13 });

    const program = async () => ({
      principal: await checked<ServicePrincipalInputs>(providers.principal, { ...target, appId: AUTHENTICATION_EVENTS_APP_ID }),
      flag: await checked<ExtensionPropertyInputs>(providers.flag, { ...target, name: 'toBeMigrated' }),
      key: await checked<ApplicationEncryptionKeyInputs>(providers.key, { ...target, applicationObjectId: api.id, displayName: 'JIT key', certificate }),
      extension: await checked<CustomAuthenticationExtensionInputs>(providers.extension, {
        ...target,
        displayName: 'JIT password migration',
        targetUrl: `https://${HOST}/api/passwordSubmit`,
        resourceId,
      }),
    });

    // pulumi up
    const first = await program();
    const principal = await providers.principal.create(first.principal);
    const flag = await providers.flag.create(first.flag);
    const key = await providers.key.create(first.key);
    const extension = await providers.extension.create(first.extension);
    const listenerInputs = await checked<EventListenerInputs>(providers.listener, {
      ...target,
      displayName: 'JIT password migration',
      clientAppIds: [client.appId],
      migrationPropertyId: flag.outs?.fullName,
      customExtensionId: extension.id,
    });
    const listener = await providers.listener.create(listenerInputs);
    expect(emulator.applications.get(api.id)?.tokenEncryptionKeyId).toBe(key.outs?.keyId);
    expect(emulator.authenticationEventListeners.get(listener.id)?.handler).toMatchObject({ migrationPropertyId: flag.outs?.fullName, customExtension: { id: extension.id } });

    // pulumi up again, same program: refresh-free diffs are all "no change".
    const second = await program();
    expect(await providers.principal.diff!(principal.id, principal.outs!, second.principal)).toEqual({ changes: false });
    expect(await providers.flag.diff!(flag.id, flag.outs!, second.flag)).toEqual({ changes: false });
    expect(await providers.key.diff!(key.id, key.outs!, second.key)).toEqual({ changes: false });
    expect(await providers.extension.diff!(extension.id, extension.outs!, second.extension)).toEqual({ changes: false });
    expect(await providers.listener.diff!(listener.id, listener.outs!, listenerInputs)).toEqual({ changes: false });
    // ...and after `pulumi refresh` too.
    for (const [name, created] of Object.entries({ principal, flag, key, extension, listener })) {
      const provider = providers[name as keyof typeof providers] as { read: (id: string, props: unknown) => Promise<{ id?: string; props?: unknown }>; diff: (id: string, olds: unknown, news: unknown) => Promise<unknown> };
      const refreshed = await provider.read(created.id, created.outs);
      expect({ name, id: refreshed.id }).toEqual({ name, id: created.id });
      const news = name === 'listener' ? listenerInputs : second[name as keyof typeof second];
      expect({ name, diff: await provider.diff(created.id, refreshed.props, news) }).toEqual({ name, diff: { changes: false } });
    }

    // pulumi destroy, dependents first.
    await providers.listener.delete!(listener.id, listener.outs!);
    await providers.extension.delete!(extension.id, extension.outs!);
    await providers.key.delete!(key.id, key.outs!);
    await providers.flag.delete!(flag.id, flag.outs!);
    await providers.principal.delete!(principal.id, principal.outs!);
    expect(emulator.authenticationEventListeners.size).toBe(0);
    expect(emulator.customAuthenticationExtensions.size).toBe(0);
    expect(emulator.applications.get(api.id)).toMatchObject({ keyCredentials: [], tokenEncryptionKeyId: null });
    expect(emulator.extensionProperties.get(flag.id)).toMatchObject({ name: flag.outs?.fullName });
    expect(emulator.servicePrincipals.get(principal.id)).toMatchObject({ appId: AUTHENTICATION_EVENTS_APP_ID });
    expect(emulator.authenticationEventsServicePrincipalDeleted).toBe(false);
    expect(emulator.stats.serverErrors).toBeGreaterThan(0);
  });
});
