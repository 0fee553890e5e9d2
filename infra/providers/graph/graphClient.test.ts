import { AUTHENTICATION_EVENTS_APP_ID, GraphClient } from '../../../lib/graph';
import { GraphEmulator } from '../../../test/emulators/graph';
import { graphClientFor } from './graphClient';
import { graphServicePrincipalProvider } from './servicePrincipal';
import { TENANT_ID, TOKEN } from './testSupport';

const VARIABLES = ['JITMIGRATE_GRAPH_URL', 'JITMIGRATE_GRAPH_TOKEN'] as const;

describe('graphClientFor (the client inside provider methods)', () => {
  let emulator: GraphEmulator;
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ token: TOKEN });
    for (const name of VARIABLES) delete process.env[name];
  });
  afterEach(async () => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await emulator.stop();
  });

  it('takes the test seam from JITMIGRATE_GRAPH_URL / JITMIGRATE_GRAPH_TOKEN, over the graphBaseUrl input', async () => {
    process.env.JITMIGRATE_GRAPH_URL = emulator.url;
    process.env.JITMIGRATE_GRAPH_TOKEN = TOKEN;
    // The exported provider, exactly as the bundle serves it to the engine.
    const inputs = { tenantId: TENANT_ID, graphBaseUrl: 'https://graph.microsoft.com', appId: AUTHENTICATION_EVENTS_APP_ID };
    const { id } = await graphServicePrincipalProvider.create(inputs);
    expect(emulator.servicePrincipals.get(id)?.appId).toBe(AUTHENTICATION_EVENTS_APP_ID);
  });

  it('sends requests to the graphBaseUrl input (national clouds) when the URL variable is unset', async () => {
    process.env.JITMIGRATE_GRAPH_TOKEN = TOKEN;
    const graph = graphClientFor({ tenantId: TENANT_ID, graphBaseUrl: emulator.url });
    await expect(graph.get('/servicePrincipals')).resolves.toMatchObject({ value: expect.any(Array) });
  });

  it('otherwise signs in with DefaultAzureCredential to the given tenant, one cached client per tenant and cloud', () => {
    const target = { tenantId: TENANT_ID, graphBaseUrl: 'https://graph.microsoft.us' };
    const client = graphClientFor(target);
    expect(client).toBeInstanceOf(GraphClient);
    expect(graphClientFor({ ...target })).toBe(client);
    expect(graphClientFor({ ...target, tenantId: '11111111-2222-3333-4444-555555555555' })).not.toBe(client);
    expect(graphClientFor({ ...target, graphBaseUrl: 'https://graph.microsoft.com' })).not.toBe(client);
  });
});
