/**
 * The Graph client a provider method uses. Dynamic provider methods run in Pulumi's provider process, so each
 * builds its client there (Pulumi docs "Dynamic providers", managing credentials): credentials are never inputs, only the tenant id
 * (not a secret) and the Graph base URL (sovereign clouds) are. It is the project's one client (lib/graph) with
 * its retries on 429/5xx, configured by `graphClientFromEnvironment`, so the test seam is the same as the CLI's:
 * `JITMIGRATE_GRAPH_URL` replaces the base URL and `JITMIGRATE_GRAPH_TOKEN` the credential; otherwise
 * `DefaultAzureCredential` signs in to the given tenant.
 */
import { GRAPH_TOKEN_VARIABLE, GRAPH_URL_VARIABLE, graphClientFromEnvironment, type GraphClient } from '../../../lib/graph';

export interface GraphTarget {
  /** The External ID tenant: the credential signs in here, never to an ambient default tenant. */
  tenantId: string;
  /** `https://graph.microsoft.com` or a national cloud's Graph host. */
  graphBaseUrl: string;
}

export type GraphClientFactory = (target: GraphTarget) => GraphClient;

const clients = new Map<string, GraphClient>();

/** One client per tenant and URL for the life of the provider process, so tokens are cached across resources. */
export const graphClientFor: GraphClientFactory = (target) => {
  const env = { ...process.env };
  // The variable wins over the input: that is what makes the emulator reachable from a real program run.
  if (!env[GRAPH_URL_VARIABLE]?.trim()) env[GRAPH_URL_VARIABLE] = target.graphBaseUrl;
  const key = JSON.stringify([target.tenantId, env[GRAPH_URL_VARIABLE], env[GRAPH_TOKEN_VARIABLE] ?? '']);
  let client = clients.get(key);
  if (client === undefined) {
    client = graphClientFromEnvironment({ tenantId: target.tenantId, env, client: { userAgent: 'entra-jit-migration-pulumi' } });
    clients.set(key, client);
  }
  return client;
};
