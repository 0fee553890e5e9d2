/**
 * PrivateNetwork (networkMode=private; README "Private networking"): the function's outbound traffic goes
 * through a virtual network, and Key Vault and the storage account are reached through private endpoints
 * whose addresses the private DNS zones below give their usual host names inside that network.
 *
 * - A new virtual network (`virtualNetworkAddressSpace`) with two subnets: the function's integration subnet,
 *   delegated to Microsoft.App/environments (what Flex Consumption's virtual network integration requires), and
 *   the private endpoints' subnet. Or two subnets of an existing network (`existingSubnetId`,
 *   `existingPrivateEndpointSubnetId`), left as they are.
 * - One private DNS zone per service the stack reaches (vault; blob, queue and table storage), linked to the
 *   network. KeyMaterial and FunctionHosting put their endpoints in through `connect`.
 *
 * The function's inbound endpoint is not touched: Entra calls it from the internet.
 */
import * as pulumi from '@pulumi/pulumi';
import * as network from '@pulumi/azure-native/network';
import * as privatedns from '@pulumi/azure-native/privatedns';
import { formatIpv4Block, parseIpv4Block, subBlock } from '../cidr';

/** A private endpoint's target sub-resource (its group id) and the zone that names it. */
export const PRIVATE_LINK_ZONES = {
  vault: 'privatelink.vaultcore.azure.net',
  blob: 'privatelink.blob.core.windows.net',
  queue: 'privatelink.queue.core.windows.net',
  table: 'privatelink.table.core.windows.net',
} as const;
export type PrivateLinkGroup = keyof typeof PRIVATE_LINK_ZONES;

/** Flex Consumption integrates with subnets delegated to this service (learn AF/flex-consumption-plan networking). */
export const FLEX_SUBNET_DELEGATION = 'Microsoft.App/environments';

export const SUBNET_NAMES = { integration: 'snet-function-integration', privateEndpoints: 'snet-private-endpoints' } as const;

/** The created network's subnets: the first half of the space for the function, its third quarter for endpoints. */
export function subnetLayout(addressSpace: string): { integration: string; privateEndpoints: string } {
  const space = parseIpv4Block(addressSpace);
  return {
    integration: formatIpv4Block(subBlock(space, space.prefixLength + 1, 0)),
    privateEndpoints: formatIpv4Block(subBlock(space, space.prefixLength + 2, 2)),
  };
}

export interface PrivateNetworkArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
  virtualNetworkName: pulumi.Input<string>;
  addressSpace: string;
  existingSubnets?: { readonly integration: string; readonly privateEndpoints: string };
}

/** What KeyMaterial and FunctionHosting need to put their resources behind private endpoints. */
export interface PrivateEndpoints {
  /** A private endpoint for `group` of `resourceId`, registered in the group's private DNS zone. */
  connect(name: string, resourceId: pulumi.Input<string>, group: PrivateLinkGroup, opts: { parent: pulumi.Resource }): network.PrivateEndpoint;
}

export class PrivateNetwork extends pulumi.ComponentResource implements PrivateEndpoints {
  readonly virtualNetworkId: pulumi.Output<string>;
  /** The subnet the function app joins (`virtualNetworkSubnetId`). */
  readonly integrationSubnetId: pulumi.Output<string>;
  readonly privateEndpointSubnetId: pulumi.Output<string>;
  /** Undefined when the subnets are an existing network's. */
  readonly virtualNetwork: network.VirtualNetwork | undefined;
  readonly zones: Readonly<Record<PrivateLinkGroup, privatedns.PrivateZone>>;
  private readonly resourceGroupName: pulumi.Input<string>;
  private readonly location: pulumi.Input<string>;
  private readonly tags: PrivateNetworkArgs['tags'];
  private readonly zoneLinks: pulumi.Resource[] = [];

  constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitmigration:azure:PrivateNetwork', name, {}, opts);
    const child = { parent: this };
    const { resourceGroupName, location, tags } = args;
    this.resourceGroupName = resourceGroupName;
    this.location = location;
    this.tags = tags;

    if (args.existingSubnets) {
      const { integration, privateEndpoints } = args.existingSubnets;
      this.virtualNetwork = undefined;
      this.integrationSubnetId = pulumi.output(integration);
      this.privateEndpointSubnetId = pulumi.output(privateEndpoints);
      this.virtualNetworkId = pulumi.output(integration.replace(/\/subnets\/[^/]+$/i, ''));
    } else {
      const layout = subnetLayout(args.addressSpace);
      // Subnets inline: separate Subnet resources would fight the network's own list on every update.
      this.virtualNetwork = new network.VirtualNetwork(
        `${name}-vnet`,
        {
          resourceGroupName,
          location,
          virtualNetworkName: args.virtualNetworkName,
          addressSpace: { addressPrefixes: [args.addressSpace] },
          subnets: [
            {
              name: SUBNET_NAMES.integration,
              addressPrefix: layout.integration,
              delegations: [{ name: 'flex-consumption', serviceName: FLEX_SUBNET_DELEGATION }],
              // The function still calls Graph and Entra's metadata on the internet: new subnets are private
              // (no default outbound) unless told otherwise. A NAT gateway is the production alternative.
              defaultOutboundAccess: true,
            },
            { name: SUBNET_NAMES.privateEndpoints, addressPrefix: layout.privateEndpoints, privateEndpointNetworkPolicies: 'Disabled', defaultOutboundAccess: false },
          ],
          tags,
        },
        child,
      );
      this.virtualNetworkId = this.virtualNetwork.id;
      this.integrationSubnetId = pulumi.interpolate`${this.virtualNetwork.id}/subnets/${SUBNET_NAMES.integration}`;
      this.privateEndpointSubnetId = pulumi.interpolate`${this.virtualNetwork.id}/subnets/${SUBNET_NAMES.privateEndpoints}`;
    }

    const zones = {} as Record<PrivateLinkGroup, privatedns.PrivateZone>;
    for (const [group, zoneName] of Object.entries(PRIVATE_LINK_ZONES) as [PrivateLinkGroup, string][]) {
      // Private DNS zones are global resources.
      const zone = new privatedns.PrivateZone(`${name}-zone-${group}`, { resourceGroupName, location: 'global', privateZoneName: zoneName, tags }, child);
      zones[group] = zone;
      this.zoneLinks.push(
        new privatedns.VirtualNetworkLink(
          `${name}-zone-${group}-link`,
          {
            resourceGroupName,
            location: 'global',
            privateZoneName: zone.name,
            virtualNetworkLinkName: 'function-network',
            virtualNetwork: { id: this.virtualNetworkId },
            registrationEnabled: false,
            tags,
          },
          child,
        ),
      );
    }
    this.zones = zones;
    this.registerOutputs({ virtualNetworkId: this.virtualNetworkId, integrationSubnetId: this.integrationSubnetId, privateEndpointSubnetId: this.privateEndpointSubnetId });
  }

  connect(name: string, resourceId: pulumi.Input<string>, group: PrivateLinkGroup, opts: { parent: pulumi.Resource }): network.PrivateEndpoint {
    const endpoint = new network.PrivateEndpoint(
      name,
      {
        resourceGroupName: this.resourceGroupName,
        location: this.location,
        subnet: { id: this.privateEndpointSubnetId },
        privateLinkServiceConnections: [{ name: group, privateLinkServiceId: resourceId, groupIds: [group] }],
        tags: this.tags,
      },
      // Names resolve to the endpoint only once the zone is linked to the network.
      { parent: opts.parent, dependsOn: this.zoneLinks },
    );
    new network.PrivateDnsZoneGroup(
      `${name}-dns`,
      {
        resourceGroupName: this.resourceGroupName,
        privateEndpointName: endpoint.name,
        privateDnsZoneGroupName: 'default',
        privateDnsZoneConfigs: [{ name: group, privateDnsZoneId: this.zones[group].id }],
      },
      { parent: endpoint },
    );
    return endpoint;
  }
}
