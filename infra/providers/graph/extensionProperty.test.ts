import { B2C_EXTENSIONS_APP_DISPLAY_NAME } from '../../../test/emulators/graph';
import { createExtensionPropertyProvider, type ExtensionPropertyInputs } from './extensionProperty';
import { checked, startHarness, type Harness } from './testSupport';

const B2C_APP_ID = 'b7b1c57b-532f-40b8-b5ed-4b7a7ba67401';
const FULL_NAME = 'extension_b7b1c57b532f40b8b5ed4b7a7ba67401_toBeMigrated';

describe('graphExtensionProperty provider', () => {
  let harness: Harness;
  let provider: ReturnType<typeof createExtensionPropertyProvider>;
  const b2cApp = () => [...harness.emulator.applications.values()].find((app) => app.displayName === B2C_EXTENSIONS_APP_DISPLAY_NAME) as { id: string };
  const properties = () => [...harness.emulator.extensionProperties.values()];
  const inputs = (extra: Record<string, unknown> = {}) => checked<ExtensionPropertyInputs>(provider, { ...harness.target, name: 'toBeMigrated', ...extra });

  beforeEach(async () => {
    harness = await startHarness({ b2cExtensionsAppId: B2C_APP_ID });
    provider = createExtensionPropertyProvider(harness.clientFor);
  });
  afterEach(() => harness.stop());

  it('defaults to a Boolean on User and names the fix for bad inputs', async () => {
    expect(await inputs()).toEqual({ ...harness.target, name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] });
    const bad = await provider.check!({} as ExtensionPropertyInputs, { ...harness.target, name: 'to-be-migrated', dataType: 'Bool', targetObjects: ['Users'] } as never);
    expect(bad.failures).toEqual([
      { property: 'name', reason: expect.stringMatching(/letters, digits and underscores/) },
      { property: 'dataType', reason: expect.stringMatching(/one of Binary, Boolean.*the JIT migration flag is Boolean/) },
      { property: 'targetObjects', reason: expect.stringMatching(/\['User'\]/) },
    ]);
  });

  it('creates extension_{appId}_{name} on the b2c-extensions-app through 503s', async () => {
    harness.emulator.setFaults({ serverErrorRate: 0.4, seed: 3 });
    const { id, outs } = await provider.create(await inputs());
    expect(outs).toEqual({ ...(await inputs()), fullName: FULL_NAME, applicationObjectId: b2cApp().id, applicationAppId: B2C_APP_ID });
    expect(properties()).toEqual([expect.objectContaining({ id, name: FULL_NAME, dataType: 'Boolean', targetObjects: ['User'] })]);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
  });

  it('adopts the property a crashed run created instead of failing on the duplicate', async () => {
    const crashed = (await harness.raw('POST', `/applications/${b2cApp().id}/extensionProperties`, { body: { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] } })).body;
    const { id, outs } = await provider.create(await inputs());
    expect(id).toBe(crashed.id);
    expect(outs?.fullName).toBe(FULL_NAME);
    expect(properties()).toHaveLength(1);
  });

  it('refuses to adopt a property of the same name with another type, and a tenant without b2c-extensions-app', async () => {
    await harness.raw('POST', `/applications/${b2cApp().id}/extensionProperties`, { body: { name: 'toBeMigrated', dataType: 'String', targetObjects: ['User'] } });
    await expect(provider.create(await inputs())).rejects.toThrow(/already exists as a String .*choose another migrationPropertyName/);

    await harness.raw('DELETE', `/applications/${b2cApp().id}`);
    await expect(provider.create(await inputs())).rejects.toThrow(/no b2c-extensions-app in tenant .*External ID/);
  });

  it('diffs deterministically; any change is a new property', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.diff!(id, outs!, await inputs())).toEqual({ changes: false });
    expect(await provider.diff!(id, outs!, await inputs({ targetObjects: ['User', 'User'] }))).toEqual({ changes: false });
    expect(await provider.diff!(id, outs!, await inputs({ name: 'needsMigration' }))).toMatchObject({ changes: true, replaces: ['name'] });
    expect(await provider.diff!(id, outs!, await inputs({ dataType: 'String' }))).toMatchObject({ changes: true, replaces: ['dataType'] });
  });

  it('reads the property from Graph and reports it gone once deleted', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });
    await harness.raw('DELETE', `/applications/${b2cApp().id}/extensionProperties/${id}`);
    expect(await provider.read!(id, outs)).toEqual({ id: '', props: {} });
  });

  it('never deletes the property: destroy keeps every user\'s flag', async () => {
    const { id, outs } = await provider.create(await inputs());
    await provider.delete!(id, outs!);
    expect(properties()).toEqual([expect.objectContaining({ id, name: FULL_NAME })]);
    // A later run adopts it again.
    expect((await provider.create(await inputs())).id).toBe(id);
  });
});
