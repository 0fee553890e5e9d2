/**
 * The Graph client as the operator's environment configures it. `JITMIGRATE_GRAPH_URL` replaces the Graph
 * host (a national cloud, or the loopback emulator in tests) and `JITMIGRATE_GRAPH_TOKEN` replaces the
 * credential (tests, air-gapped runs with a pre-issued token). Otherwise `DefaultAzureCredential` signs in
 * (environment variables, workload identity, managed identity, Azure CLI) to the tenant the caller names.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { credentialFor, type AppIdentity } from './appIdentity';
import { DEFAULT_GRAPH_URL, GraphClient, type GraphClientOptions } from './client';
import { graphScopeFor, staticToken, tokenFromCredential } from './token';
import type { GraphApiVersion } from './types';
import { isGuid } from '../ids/guid';

export const GRAPH_URL_VARIABLE = 'JITMIGRATE_GRAPH_URL';
export const GRAPH_TOKEN_VARIABLE = 'JITMIGRATE_GRAPH_TOKEN';

export interface GraphEnvironmentOptions {
  /** The External ID tenant (GUID or `*.onmicrosoft.com`); required unless `JITMIGRATE_GRAPH_TOKEN` is set. */
  tenantId?: string;
  env?: NodeJS.ProcessEnv;
  apiVersion?: GraphApiVersion;
  /** Sign in as this app registration (appIdentity.ts) instead of DefaultAzureCredential; needs tenantId. */
  identity?: AppIdentity;
  /** Retry tuning and the throttle callback for bulk callers. */
  client?: Pick<GraphClientOptions, 'maxRetries' | 'notFoundRetries' | 'timeoutMs' | 'sleep' | 'userAgent' | 'onThrottle'>;
}

export function graphClientFromEnvironment(options: GraphEnvironmentOptions = {}): GraphClient {
  const env = options.env ?? process.env;
  const baseUrl = nonEmpty(env[GRAPH_URL_VARIABLE]) ?? DEFAULT_GRAPH_URL;
  const presetToken = nonEmpty(env[GRAPH_TOKEN_VARIABLE]);
  const common = { ...options.client, baseUrl, apiVersion: options.apiVersion };
  if (presetToken !== undefined) {
    if (options.identity !== undefined) throw new Error(`--identity signs in to the tenant and ${GRAPH_TOKEN_VARIABLE} replaces signing in: use one or the other`);
    return new GraphClient({ ...common, token: staticToken(presetToken) });
  }

  const tenantId = nonEmpty(options.tenantId);
  if (tenantId === undefined) {
    throw new Error(`no tenant to sign in to: pass --tenant <External ID tenant ID> (or set ${GRAPH_TOKEN_VARIABLE} to a Graph token)`);
  }
  if (!isGuid(tenantId) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenantId)) {
    throw new Error(`--tenant must be the tenant's ID (a GUID) or its domain (like contoso.onmicrosoft.com), got "${tenantId}"`);
  }
  const credential = options.identity === undefined ? new DefaultAzureCredential({ tenantId }) : credentialFor(options.identity, tenantId);
  return new GraphClient({ ...common, token: tokenFromCredential(credential, graphScopeFor(baseUrl)) });
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
