/**
 * Ensures a service principal exists for an appId, typically the Authentication Events app
 * 99045fe1-7639-4a75-9d4a-577b6ca3810f, without which creating a custom authentication extension fails
 * with AADB2C90063 (docs/entra-contracts.md#extension-app). Find-or-create: an existing one is adopted. Delete never deletes:
 * the principal belongs to the tenant, and removing 99045fe1 breaks every custom extension in it.
 * Graph: servicePrincipal-post-serviceprincipals (409 when one exists for the appId).
 */
import type * as pulumi from '@pulumi/pulumi';
import { GraphError, type GraphClient, type ServicePrincipal } from '../../../lib/graph';
import { Checks, diffFields, GONE, isNotFound, lower, odataString, targetOf, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';

export interface ServicePrincipalInputs {
  tenantId: string;
  graphBaseUrl: string;
  appId: string;
}

export interface ServicePrincipalOutputs extends ServicePrincipalInputs {
  objectId: string;
  displayName: string;
}

const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl', replace: true },
  { name: 'appId', replace: true, normalize: lower },
];

export function createServicePrincipalProvider(clientFor: GraphClientFactory = graphClientFor): pulumi.dynamic.ResourceProvider<ServicePrincipalInputs, ServicePrincipalOutputs> {
  const ensure = async (inputs: ServicePrincipalInputs): Promise<ServicePrincipalOutputs> => {
    const graph = clientFor(inputs);
    let found = await findByAppId(graph, inputs.appId);
    if (found === undefined) {
      try {
        const created = await graph.post<ServicePrincipal>('/servicePrincipals', { appId: inputs.appId });
        // Read it back: a just-created object may 404 until it replicates.
        found = await graph.get<ServicePrincipal>(`/servicePrincipals/${encodeURIComponent(String(created.id))}`, { retryNotFound: true });
      } catch (error) {
        // Someone (a retried run, an admin) created it between our lookup and our POST: adopt it.
        if (!(error instanceof GraphError && error.status === 409)) throw error;
        found = await findByAppId(graph, inputs.appId);
        if (found === undefined) throw error;
      }
    }
    return outputs(inputs, found);
  };

  return {
    async check(_olds, news) {
      const checks = new Checks();
      const target = checks.target(news as unknown as Props);
      const appId = checks.guid(news as unknown as Props, 'appId', 'set it to the application (client) ID whose service principal must exist');
      return { inputs: { ...target, appId: appId ?? '' }, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      return diffFields(olds as unknown as Props, news as unknown as Props, FIELDS);
    },

    async create(inputs) {
      const outs = await ensure(inputs);
      return { id: outs.objectId, outs };
    },

    async read(id, props) {
      if (props === undefined) return { id };
      const graph = clientFor(targetOf(props as unknown as Props));
      try {
        const current = await graph.get<ServicePrincipal>(`/servicePrincipals/${encodeURIComponent(id)}`);
        return { id, props: outputs(props, current) };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      // Deleted and perhaps re-created by someone else: follow the appId, else report it gone.
      const replacement = await findByAppId(graph, props.appId);
      return replacement === undefined ? GONE : { id: String(replacement.id), props: outputs(props, replacement) };
    },

    async update(_id, _olds, news) {
      // Only non-identity fields could change, and there are none: re-ensure so a deleted principal comes back.
      return { outs: await ensure(news) };
    },

    async delete() {
      // Never delete (see the header): `pulumi destroy` leaves the principal in the tenant.
    },
  };
}

async function findByAppId(graph: GraphClient, appId: string): Promise<ServicePrincipal | undefined> {
  for await (const principal of graph.list<ServicePrincipal>('/servicePrincipals', {
    query: { $filter: `appId eq ${odataString(appId)}`, $select: 'id,appId,displayName' },
  })) {
    return principal;
  }
  return undefined;
}

function outputs(inputs: ServicePrincipalInputs, principal: ServicePrincipal): ServicePrincipalOutputs {
  return {
    tenantId: inputs.tenantId,
    graphBaseUrl: inputs.graphBaseUrl,
    appId: inputs.appId,
    objectId: String(principal.id),
    displayName: principal.displayName ?? '',
  };
}

export const graphServicePrincipalProvider = createServicePrincipalProvider();
