import { GraphEmulator } from '../../test/emulators/graph';
import { GraphClient } from './client';
import { graphClientFromEnvironment } from './environment';

describe('graphClientFromEnvironment', () => {
  it('uses JITMIGRATE_GRAPH_URL and JITMIGRATE_GRAPH_TOKEN when set (no tenant needed)', async () => {
    const emulator = await GraphEmulator.start({ token: 'preset-token' });
    try {
      const graph = graphClientFromEnvironment({ env: { JITMIGRATE_GRAPH_URL: emulator.url, JITMIGRATE_GRAPH_TOKEN: 'preset-token' }, apiVersion: 'beta' });
      await expect(graph.get('/users')).resolves.toMatchObject({ value: [] });
    } finally {
      await emulator.stop();
    }
  });

  it('asks for --tenant when it has to sign in', () => {
    expect(() => graphClientFromEnvironment({ env: {} })).toThrow(/pass --tenant <External ID tenant ID>/);
    expect(() => graphClientFromEnvironment({ env: { JITMIGRATE_GRAPH_URL: 'https://graph.microsoft.us' }, tenantId: '  ' })).toThrow(/--tenant/);
  });

  it('refuses a tenant that is neither a GUID nor a domain', () => {
    expect(() => graphClientFromEnvironment({ env: {}, tenantId: 'my tenant' })).toThrow(/GUID.*or its domain/);
  });

  it('builds a DefaultAzureCredential client for a tenant without signing in yet', () => {
    expect(graphClientFromEnvironment({ env: {}, tenantId: '11111111-2222-3333-4444-555555555555' })).toBeInstanceOf(GraphClient);
    expect(graphClientFromEnvironment({ env: {}, tenantId: 'contoso.onmicrosoft.com' })).toBeInstanceOf(GraphClient);
  });

  it('refuses a plain-http Graph URL that is not loopback', () => {
    expect(() => graphClientFromEnvironment({ env: { JITMIGRATE_GRAPH_URL: 'http://graph.example.com', JITMIGRATE_GRAPH_TOKEN: 't' } })).toThrow(/https/);
  });
});
