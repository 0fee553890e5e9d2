/**
 * networkMode under mocks: the public default creates no network resource and leaves the vault, the storage
 * account and the app as they were; private mode (the committed Pulumi.private.yaml) puts Key Vault and storage
 * behind private endpoints with their DNS zones, closes their public access and integrates the app's outbound
 * traffic; existing subnets are used as given. Plus the config rules of the mode and the subnet layout.
 */
import { ConfigError, parseConfig, type ConfigKey, type ConfigSource } from '../config';
import { configSourceOf, loadStackConfig, PROJECT, runProgram, STACK, type ProgramRun, type RecordedResource } from '../test/mocks';
import { FLEX_SUBNET_DELEGATION, PRIVATE_LINK_ZONES, SUBNET_NAMES, subnetLayout } from './network';

const T = {
  vnet: 'azure-native:network:VirtualNetwork',
  endpoint: 'azure-native:network:PrivateEndpoint',
  zoneGroup: 'azure-native:network:PrivateDnsZoneGroup',
  zone: 'azure-native:privatedns:PrivateZone',
  link: 'azure-native:privatedns:VirtualNetworkLink',
  vault: 'azure-native:keyvault:Vault',
  storage: 'azure-native:storage:StorageAccount',
  app: 'azure-native:web:WebApp',
} as const;
const key = (k: ConfigKey) => `${PROJECT}:${k}`;
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const HUB_VNET = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
const EXISTING = { integration: `${HUB_VNET}/subnets/snet-jit-functions`, privateEndpoints: `${HUB_VNET}/subnets/snet-endpoints` };

/** The private stack file as the CLI would hand it over: none of the dev stack's own settings. */
function privateStack(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const cleared = Object.fromEntries(Object.keys(loadStackConfig()).map((k) => [k, undefined]));
  return { ...cleared, ...loadStackConfig('Pulumi.private.yaml'), ...extra };
}

const ofType = (run: ProgramRun, type: string) => run.mocks.resources.filter((r) => r.type === type);
function single(run: ProgramRun, type: string): RecordedResource {
  const found = ofType(run, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
const isNetworkType = (type: string) => type.startsWith('azure-native:network:') || type.startsWith('azure-native:privatedns:') || type === 'jitmigration:azure:PrivateNetwork';
/** Endpoints by group id, with the zone their DNS group registers them in. */
function endpointsByGroup(run: ProgramRun): Record<string, { target: string; subnet: string; zones: (string | undefined)[] }> {
  const zoneNameById = new Map(ofType(run, T.zone).map((z) => [z.id, z.inputs.privateZoneName as string]));
  return Object.fromEntries(
    ofType(run, T.endpoint).map((e) => {
      const [connection] = e.inputs.privateLinkServiceConnections;
      const dns = ofType(run, T.zoneGroup).filter((g) => g.inputs.privateEndpointName === e.state.name);
      return [connection.groupIds.join(), { target: connection.privateLinkServiceId, subnet: e.inputs.subnet.id, zones: dns.flatMap((g) => g.inputs.privateDnsZoneConfigs.map((c: { privateDnsZoneId: string }) => zoneNameById.get(c.privateDnsZoneId))) }];
    }),
  );
}

let dev: ProgramRun;
let unset: ProgramRun;
let created: ProgramRun;
let existing: ProgramRun;

beforeAll(async () => {
  dev = await runProgram();
  unset = await runProgram({ overrides: { [key('networkMode')]: undefined } });
  created = await runProgram({ overrides: privateStack() });
  existing = await runProgram({ overrides: privateStack({ [key('existingSubnetId')]: EXISTING.integration, [key('existingPrivateEndpointSubnetId')]: EXISTING.privateEndpoints }) });
}, 240_000);

describe('networkMode public (the default)', () => {
  test('the dev stack creates no network resource, and is the same without the networkMode key', () => {
    expect(dev.mocks.resources.filter((r) => isNetworkType(r.type))).toEqual([]);
    const shape = (run: ProgramRun) => run.mocks.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
    expect(shape(unset)).toEqual(shape(dev));
  });

  test('vault, storage and app keep their public endpoints and no integration subnet', () => {
    expect(single(dev, T.vault).inputs.properties).toMatchObject({ publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Allow' } });
    expect(single(dev, T.storage).inputs).toMatchObject({ publicNetworkAccess: 'Enabled', networkRuleSet: { defaultAction: 'Allow' } });
    const app = single(dev, T.app).inputs;
    expect(app.publicNetworkAccess).toBe('Enabled');
    expect(Object.keys(app)).not.toEqual(expect.arrayContaining(['virtualNetworkSubnetId']));
    expect(Object.keys(app)).not.toEqual(expect.arrayContaining(['outboundVnetRouting']));
  });
});

describe('networkMode private with a network of its own (Pulumi.private.yaml)', () => {
  test('one virtual network: a Flex integration subnet delegated to Microsoft.App/environments and an endpoint subnet', () => {
    const vnet = single(created, T.vnet);
    expect(vnet.inputs.addressSpace).toEqual({ addressPrefixes: ['10.80.0.0/22'] });
    expect(vnet.inputs.virtualNetworkName).toBe('vnet-jitmig-prod-dev');
    expect(vnet.inputs.subnets).toEqual([
      expect.objectContaining({ name: SUBNET_NAMES.integration, addressPrefix: '10.80.0.0/23', delegations: [expect.objectContaining({ serviceName: FLEX_SUBNET_DELEGATION })], defaultOutboundAccess: true }),
      expect.objectContaining({ name: SUBNET_NAMES.privateEndpoints, addressPrefix: '10.80.2.0/24', privateEndpointNetworkPolicies: 'Disabled' }),
    ]);
    expect(vnet.inputs.subnets[1].delegations).toBeUndefined();
  });

  test('a private endpoint for the vault and for blob, queue and table, each in its privatelink zone', () => {
    const vault = single(created, T.vault);
    const account = single(created, T.storage);
    const subnet = `${single(created, T.vnet).id}/subnets/${SUBNET_NAMES.privateEndpoints}`;
    expect(endpointsByGroup(created)).toEqual({
      vault: { target: vault.id, subnet, zones: ['privatelink.vaultcore.azure.net'] },
      blob: { target: account.id, subnet, zones: ['privatelink.blob.core.windows.net'] },
      queue: { target: account.id, subnet, zones: ['privatelink.queue.core.windows.net'] },
      table: { target: account.id, subnet, zones: ['privatelink.table.core.windows.net'] },
    });
  });

  test('every zone is linked to the network, without auto-registration', () => {
    const vnet = single(created, T.vnet);
    expect(ofType(created, T.zone).map((z) => z.inputs.privateZoneName).sort()).toEqual(Object.values(PRIVATE_LINK_ZONES).sort());
    const links = ofType(created, T.link);
    expect(links.map((l) => l.inputs.privateZoneName).sort()).toEqual(Object.values(PRIVATE_LINK_ZONES).sort());
    for (const link of links) expect(link.inputs).toMatchObject({ virtualNetwork: { id: vnet.id }, registrationEnabled: false, location: 'global' });
  });

  test('vault and storage refuse public traffic; the app integrates outbound and stays reachable inbound', () => {
    expect(single(created, T.vault).inputs.properties).toMatchObject({ publicNetworkAccess: 'Disabled', networkAcls: { defaultAction: 'Deny' } });
    expect(single(created, T.storage).inputs).toMatchObject({ publicNetworkAccess: 'Disabled', networkRuleSet: { defaultAction: 'Deny' } });
    expect(single(created, T.app).inputs).toMatchObject({
      virtualNetworkSubnetId: `${single(created, T.vnet).id}/subnets/${SUBNET_NAMES.integration}`,
      outboundVnetRouting: { allTraffic: true },
      // Entra calls the extension from the internet; the caller's token is what protects it.
      publicNetworkAccess: 'Enabled',
    });
  });
});

describe('networkMode private with existing subnets', () => {
  test('creates no virtual network and uses the subnets as given; zones link to their network', () => {
    expect(ofType(existing, T.vnet)).toEqual([]);
    expect(single(existing, T.app).inputs.virtualNetworkSubnetId).toBe(EXISTING.integration);
    const endpoints = Object.values(endpointsByGroup(existing));
    expect(endpoints).toHaveLength(4);
    for (const endpoint of endpoints) expect(endpoint.subnet).toBe(EXISTING.privateEndpoints);
    for (const link of ofType(existing, T.link)) expect(link.inputs.virtualNetwork).toEqual({ id: HUB_VNET });
  });
});

describe('network configuration', () => {
  const sourceOf = configSourceOf;
  const problems = (extra: Record<string, string | undefined>): string => {
    try {
      parseConfig(sourceOf(privateStack(extra)));
      return '';
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.join('\n');
    }
  };

  test('the private stack parses; its vault is closed whatever keyVaultPublicNetworkAccess says', () => {
    const cfg = parseConfig(sourceOf(privateStack()));
    expect(cfg.network).toEqual({ mode: 'private', addressSpace: '10.80.0.0/22' });
    expect(cfg.keyVaultPublicNetworkAccess).toBe('Disabled');
  });

  test('private mode needs the deployer inside the network, confirmed, and says why', () => {
    expect(problems({ [key('deployerInPrivateNetwork')]: undefined })).toMatch(/networkMode is private.*vault's data plane.*pulumi config set deployerInPrivateNetwork true/);
  });

  test('existing subnets: both or neither, one network, two distinct subnets, well-formed ids', () => {
    expect(problems({ [key('existingSubnetId')]: EXISTING.integration })).toMatch(/existingPrivateEndpointSubnetId must be set together/);
    expect(problems({ [key('existingSubnetId')]: EXISTING.integration, [key('existingPrivateEndpointSubnetId')]: EXISTING.privateEndpoints.replace('vnet-hub', 'vnet-other') })).toMatch(
      /existingPrivateEndpointSubnetId is in another virtual network/,
    );
    expect(problems({ [key('existingSubnetId')]: EXISTING.integration, [key('existingPrivateEndpointSubnetId')]: EXISTING.integration })).toMatch(/cannot sit in the delegated integration subnet/);
    expect(problems({ [key('existingSubnetId')]: 'snet-jit-functions', [key('existingPrivateEndpointSubnetId')]: EXISTING.privateEndpoints })).toMatch(/existingSubnetId is 'snet-jit-functions': set it to a subnet's ARM id/);
  });

  test.each([
    ['10.80.0/22', /is '10\.80\.0\/22', which is not an IPv4 address block: write it as a\.b\.c\.d\/n/],
    ['10.80.1.0/22', /which has host bits set: the block starts at 10\.80\.0\.0\/22/],
    ['10.0.0.0/8', /is a \/8: use a \/16 to \/24/],
    ['10.80.0.0/26', /is a \/26: use a \/16 to \/24/],
  ])('address space %s is refused with the fix', (space, message) => {
    expect(problems({ [key('virtualNetworkAddressSpace')]: space })).toMatch(new RegExp(`virtualNetworkAddressSpace .*${message.source}`));
  });

  test('the private-only keys are refused in public mode, and private mode outside the global cloud', () => {
    const text = problems({ [key('networkMode')]: 'public', [key('existingSubnetId')]: EXISTING.integration, [key('existingPrivateEndpointSubnetId')]: EXISTING.privateEndpoints });
    expect(text).toMatch(/existingSubnetId is set while networkMode=public/);
    expect(text).toMatch(/existingPrivateEndpointSubnetId is set while networkMode=public/);
    expect(text).toMatch(/deployerInPrivateNetwork is set while networkMode=public/);
    expect(problems({ [key('graphBaseUrl')]: 'https://graph.microsoft.us' })).toMatch(/networkMode is private while graphBaseUrl is in the usgovernmentl4 cloud/);
  });

  test('an unknown mode is refused', () => {
    expect(problems({ [key('networkMode')]: 'hybrid' })).toMatch(/networkMode is 'hybrid'/);
  });
});

describe('subnetLayout', () => {
  test.each([
    ['10.80.0.0/22', '10.80.0.0/23', '10.80.2.0/24'],
    ['192.168.16.0/24', '192.168.16.0/25', '192.168.16.128/26'],
    ['172.16.0.0/16', '172.16.0.0/17', '172.16.128.0/18'],
  ])('%s: integration %s, private endpoints %s', (space, integration, privateEndpoints) => {
    expect(subnetLayout(space)).toEqual({ integration, privateEndpoints });
  });
});
