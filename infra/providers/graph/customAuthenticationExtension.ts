/**
 * The `onPasswordSubmitCustomExtension` that tells External ID where the function is and how to get a token
 * for it (docs/entra-contracts.md#custom-extension): `POST /identity/customAuthenticationExtensions` (201), `PATCH …/{id}` with
 * `@odata.type` (204), `DELETE …/{id}`. Through v1.0 by default (the type is there since March 2026), or
 * `/beta` as in the JIT guide's examples (`apiVersion`). Found by display name before creating, so a retried
 * `pulumi up` adopts instead of duplicating.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { GraphApiVersion, GraphClient, OnPasswordSubmitCustomExtension } from '../../../lib/graph';
import { Checks, diffFields, GONE, isNotFound, lower, sameODataType, targetOf, UNKNOWN, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';
import { GUID_SOURCE } from '../../../lib/ids/guid';

const EXTENSION_TYPE = '#microsoft.graph.onPasswordSubmitCustomExtension';
const COLLECTION = '/identity/customAuthenticationExtensions';
const RESOURCE_ID = new RegExp(`^api://([^/]+)/(${GUID_SOURCE})$`, 'i');
/** The endpoint must not be Graph, an Entra endpoint or a sign-in page (docs/entra-contracts.md#custom-extension). */
const FORBIDDEN_HOSTS = /(^|\.)(graph\.microsoft\.(com|us)|login\.microsoftonline\.(com|us)|ciamlogin\.com|microsoftgraph\.chinacloudapi\.cn)$/i;

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_MAXIMUM_RETRIES = 1;

export interface CustomAuthenticationExtensionInputs {
  tenantId: string;
  graphBaseUrl: string;
  apiVersion: GraphApiVersion;
  displayName: string;
  description: string;
  /** The function's HTTPS URL. */
  targetUrl: string;
  /** The extension app's identifier URI, `api://{targetUrl host}/{appId}`. */
  resourceId: string;
  timeoutInMilliseconds: number;
  maximumRetries: number;
}

export type CustomAuthenticationExtensionOutputs = CustomAuthenticationExtensionInputs;

/** `apiVersion` is left out: both versions serve the same object under the same id, so switching is no change. */
const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl', replace: true },
  { name: 'displayName' },
  { name: 'description' },
  { name: 'targetUrl' },
  { name: 'resourceId', normalize: lower },
  { name: 'timeoutInMilliseconds' },
  { name: 'maximumRetries' },
];

export function createCustomAuthenticationExtensionProvider(
  clientFor: GraphClientFactory = graphClientFor,
): pulumi.dynamic.ResourceProvider<CustomAuthenticationExtensionInputs, CustomAuthenticationExtensionOutputs> {
  return {
    async check(_olds, news) {
      const checks = new Checks();
      const raw = news as unknown as Props;
      const target = checks.target(raw);
      const apiVersion = checks.apiVersion(raw);
      const displayName = checks.string(raw, 'displayName', 'name the extension, e.g. "JIT password migration"') ?? '';
      const description = typeof raw.description === 'string' ? raw.description : '';
      const targetUrl = checks.string(raw, 'targetUrl', "pass the function's HTTPS URL") ?? '';
      const resourceId = checks.string(raw, 'resourceId', "pass the extension app's identifier URI, api://{function host}/{appId}") ?? '';
      checkEndpoint(checks, targetUrl, resourceId);
      const timeoutInMilliseconds = raw.timeoutInMilliseconds ?? DEFAULT_TIMEOUT_MS;
      // customExtensionClientConfiguration: "valid range is between 200 and 2000 milliseconds"; retries 0 or 1.
      if (timeoutInMilliseconds !== UNKNOWN && !(Number.isInteger(timeoutInMilliseconds) && (timeoutInMilliseconds as number) >= 200 && (timeoutInMilliseconds as number) <= 2000)) {
        checks.fail(
          'timeoutInMilliseconds',
          `timeoutInMilliseconds must be a whole number from 200 to 2000 (Graph customExtensionClientConfiguration), got ${String(timeoutInMilliseconds)}: set it to 2000, the recommended value`,
        );
      }
      const maximumRetries = raw.maximumRetries ?? DEFAULT_MAXIMUM_RETRIES;
      if (maximumRetries !== UNKNOWN && maximumRetries !== 0 && maximumRetries !== 1) {
        checks.fail('maximumRetries', `maximumRetries must be 0 or 1 (Graph customExtensionClientConfiguration), got ${String(maximumRetries)}: set it to 1, or 0 to never call the function twice`);
      }
      const inputs = {
        ...target,
        apiVersion,
        displayName,
        description,
        targetUrl,
        resourceId,
        timeoutInMilliseconds: timeoutInMilliseconds as number,
        maximumRetries: maximumRetries as number,
      };
      return { inputs, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      return diffFields(olds as unknown as Props, news as unknown as Props, FIELDS);
    },

    async create(inputs) {
      const graph = clientFor(inputs);
      const existing = await findByDisplayName(graph, inputs);
      if (existing !== undefined) {
        // Left by a run whose state was lost: adopt it, then make it match.
        const id = String(existing.id);
        if (!matches(existing, inputs)) await graph.patch(`${COLLECTION}/${encodeURIComponent(id)}`, body(inputs), { apiVersion: inputs.apiVersion });
        return { id, outs: inputs };
      }
      const created = await graph.post<OnPasswordSubmitCustomExtension>(COLLECTION, body(inputs), { apiVersion: inputs.apiVersion });
      const id = String(created.id);
      await graph.get(`${COLLECTION}/${encodeURIComponent(id)}`, { apiVersion: inputs.apiVersion, retryNotFound: true });
      return { id, outs: inputs };
    },

    async read(id, props) {
      if (props === undefined) return { id };
      const graph = clientFor(targetOf(props as unknown as Props));
      try {
        const current = await graph.get<OnPasswordSubmitCustomExtension>(`${COLLECTION}/${encodeURIComponent(id)}`, { apiVersion: props.apiVersion });
        return { id, props: { ...props, ...fromGraph(current) } };
      } catch (error) {
        if (isNotFound(error)) return GONE;
        throw error;
      }
    },

    async update(id, _olds, news) {
      await clientFor(news).patch(`${COLLECTION}/${encodeURIComponent(id)}`, body(news), { apiVersion: news.apiVersion });
      return { outs: news };
    },

    async delete(id, props) {
      await clientFor(targetOf(props as unknown as Props)).delete(`${COLLECTION}/${encodeURIComponent(id)}`, { ignoreNotFound: true, apiVersion: props.apiVersion });
    },
  };
}

function checkEndpoint(checks: Checks, targetUrl: string, resourceId: string): void {
  let host: string | undefined;
  if (targetUrl !== '' && targetUrl !== UNKNOWN) {
    try {
      const url = new URL(targetUrl);
      if (url.protocol !== 'https:') checks.fail('targetUrl', `targetUrl must use https, got "${targetUrl}": pass the function's https:// URL`);
      else if (FORBIDDEN_HOSTS.test(url.hostname)) checks.fail('targetUrl', `targetUrl must not point to Microsoft Graph or an Entra sign-in endpoint (${url.hostname}): pass the function's URL`);
      host = url.host.toLowerCase();
    } catch {
      checks.fail('targetUrl', `targetUrl "${targetUrl}" is not a URL: pass the function's https:// URL`);
    }
  }
  if (resourceId === '' || resourceId === UNKNOWN) return;
  const match = RESOURCE_ID.exec(resourceId);
  if (!match) {
    checks.fail('resourceId', `resourceId "${resourceId}" must have the form api://{function host}/{extension appId} (Graph IncorrectResourceIdFormat)`);
  } else if (host !== undefined && (match[1] as string).toLowerCase() !== host) {
    checks.fail('resourceId', `the host in resourceId (${String(match[1])}) must be targetUrl's host (${host}) (Graph DomainNameDoesNotMatch): build the identifier URI from the function's host name`);
  }
}

/** As sent: `description: null` clears one set earlier (Graph stores "no description" as null). */
type ExtensionBody = Omit<OnPasswordSubmitCustomExtension, 'description'> & { description: string | null };

function body(inputs: CustomAuthenticationExtensionInputs): ExtensionBody {
  return {
    '@odata.type': EXTENSION_TYPE,
    displayName: inputs.displayName,
    description: inputs.description === '' ? null : inputs.description,
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: inputs.targetUrl },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: inputs.resourceId },
    clientConfiguration: { timeoutInMilliseconds: inputs.timeoutInMilliseconds, maximumRetries: inputs.maximumRetries },
  };
}

/** The managed fields as Graph holds them, in the inputs' shape (server-generated fields left out). */
function fromGraph(extension: OnPasswordSubmitCustomExtension): Partial<CustomAuthenticationExtensionInputs> {
  return {
    displayName: extension.displayName ?? '',
    description: extension.description ?? '',
    targetUrl: extension.endpointConfiguration?.targetUrl ?? '',
    resourceId: extension.authenticationConfiguration?.resourceId ?? '',
    timeoutInMilliseconds: extension.clientConfiguration?.timeoutInMilliseconds ?? undefined,
    maximumRetries: extension.clientConfiguration?.maximumRetries ?? undefined,
  };
}

function matches(extension: OnPasswordSubmitCustomExtension, inputs: CustomAuthenticationExtensionInputs): boolean {
  const actual = fromGraph(extension) as Props;
  return !diffFields(actual, inputs as unknown as Props, FIELDS.filter((field) => field.name in actual)).changes;
}

async function findByDisplayName(graph: GraphClient, inputs: CustomAuthenticationExtensionInputs): Promise<OnPasswordSubmitCustomExtension | undefined> {
  const found: OnPasswordSubmitCustomExtension[] = [];
  // Listed and filtered here: at most 100 extensions per tenant, and filter support varies by version.
  for await (const extension of graph.list<OnPasswordSubmitCustomExtension>(COLLECTION, { apiVersion: inputs.apiVersion })) {
    if (sameODataType(extension['@odata.type'], EXTENSION_TYPE) && extension.displayName === inputs.displayName) found.push(extension);
  }
  if (found.length > 1) {
    throw new Error(
      `${found.length} onPasswordSubmit custom authentication extensions are named "${inputs.displayName}" (ids ${found.map((item) => item.id).join(', ')}): ` +
        'delete the extras in the Entra admin center (Custom authentication extensions) or choose another display name',
    );
  }
  return found[0];
}

export const graphCustomAuthenticationExtensionProvider = createCustomAuthenticationExtensionProvider();
