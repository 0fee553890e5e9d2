/**
 * The `onPasswordSubmitListener` that turns JIT migration on for the client apps (docs/entra-contracts.md#listener):
 * conditions name the apps, the `onPasswordMigrationCustomExtensionHandler` names the migration flag
 * (`migrationPropertyId`) and the custom extension. `POST /identity/authenticationEventListeners`,
 * `PATCH …/{id}` with `@odata.type`, `DELETE …/{id}`; `EventListener.ReadWrite.All`; through v1.0 by default or
 * `/beta` (`apiVersion`), which serve the same listener under the same id. Found by display name (or
 * by the extension it points at) before creating, so a retried `pulumi up` adopts instead of duplicating.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { GraphApiVersion, GraphClient, OnPasswordSubmitListener } from '../../../lib/graph';
import { Checks, diffFields, GONE, isGuid, isNotFound, lower, sameODataType, sortedLower, targetOf, UNKNOWN, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';
import { EXTENSION_ATTRIBUTE } from '../../../lib/ids/extensionAttribute';

const LISTENER_TYPE = '#microsoft.graph.onPasswordSubmitListener';
const HANDLER_TYPE = '#microsoft.graph.onPasswordMigrationCustomExtensionHandler';
const COLLECTION = '/identity/authenticationEventListeners';
/** All samples use 500; the docs disagree on which direction wins (docs/entra-contracts.md#listener). */
export const DEFAULT_PRIORITY = 500;

export interface EventListenerInputs {
  tenantId: string;
  graphBaseUrl: string;
  apiVersion: GraphApiVersion;
  displayName: string;
  /** appIds (client IDs) of the apps whose sign-ins trigger migration; sorted, lower-case. */
  clientAppIds: string[];
  priority: number;
  /** `extension_{b2c-extensions-app appId without hyphens}_{name}`. */
  migrationPropertyId: string;
  customExtensionId: string;
}

export type EventListenerOutputs = EventListenerInputs;

/** `apiVersion` is left out: both versions serve the same object under the same id, so switching is no change. */
const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl', replace: true },
  { name: 'displayName' },
  { name: 'clientAppIds', normalize: sortedLower },
  { name: 'priority' },
  { name: 'migrationPropertyId', normalize: lower },
  { name: 'customExtensionId', normalize: lower },
];

export function createEventListenerProvider(clientFor: GraphClientFactory = graphClientFor): pulumi.dynamic.ResourceProvider<EventListenerInputs, EventListenerOutputs> {
  return {
    async check(_olds, news) {
      const checks = new Checks();
      const raw = news as unknown as Props;
      const target = checks.target(raw);
      const apiVersion = checks.apiVersion(raw);
      const displayName = checks.string(raw, 'displayName', 'name the listener, e.g. "JIT password migration"') ?? '';
      const clientAppIds = checkAppIds(checks, raw.clientAppIds);
      const priority = raw.priority ?? DEFAULT_PRIORITY;
      if (priority !== UNKNOWN && !(Number.isInteger(priority) && (priority as number) >= 0 && (priority as number) <= 1000)) {
        checks.fail('priority', `priority must be a whole number from 0 to 1000 (authenticationEventListener), got ${String(priority)}: use ${DEFAULT_PRIORITY}`);
      }
      const migrationPropertyId = checks.string(raw, 'migrationPropertyId', "pass the migration flag's full name, extension_{appId}_{name}") ?? '';
      if (migrationPropertyId !== '' && migrationPropertyId !== UNKNOWN && !EXTENSION_ATTRIBUTE.test(migrationPropertyId)) {
        checks.fail('migrationPropertyId', `migrationPropertyId "${migrationPropertyId}" must be extension_{b2c-extensions-app appId without hyphens}_{name}: pass the extension property's full name`);
      }
      const customExtensionId = checks.string(raw, 'customExtensionId', "pass the custom authentication extension's id") ?? '';
      const inputs = { ...target, apiVersion, displayName, clientAppIds, priority: priority as number, migrationPropertyId, customExtensionId };
      return { inputs, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      // Two listeners for the same apps may collide: remove the old one before creating its replacement.
      return diffFields(olds as unknown as Props, news as unknown as Props, FIELDS, { deleteBeforeReplace: true });
    },

    async create(inputs) {
      const graph = clientFor(inputs);
      const existing = await findExisting(graph, inputs);
      if (existing !== undefined) {
        // Left by a run whose state was lost: adopt it, then make it match.
        const id = String(existing.id);
        const actual = { ...inputs, ...fromGraph(existing, inputs.customExtensionId) } as unknown as Props;
        if (diffFields(actual, inputs as unknown as Props, FIELDS).changes) {
          await graph.patch(`${COLLECTION}/${encodeURIComponent(id)}`, body(inputs), { apiVersion: inputs.apiVersion });
        }
        return { id, outs: inputs };
      }
      const created = await graph.post<OnPasswordSubmitListener>(COLLECTION, body(inputs), { apiVersion: inputs.apiVersion });
      const id = String(created.id);
      await graph.get(`${COLLECTION}/${encodeURIComponent(id)}`, { apiVersion: inputs.apiVersion, retryNotFound: true });
      return { id, outs: inputs };
    },

    async read(id, props) {
      if (props === undefined) return { id };
      const graph = clientFor(targetOf(props as unknown as Props));
      try {
        const current = await graph.get<OnPasswordSubmitListener>(`${COLLECTION}/${encodeURIComponent(id)}`, { apiVersion: props.apiVersion });
        return { id, props: { ...props, ...fromGraph(current, props.customExtensionId) } };
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

function checkAppIds(checks: Checks, value: unknown): string[] {
  if (value === UNKNOWN) return value as unknown as string[];
  if (!Array.isArray(value) || value.length === 0) {
    checks.fail('clientAppIds', 'clientAppIds is empty: pass the client (application) IDs of the apps whose sign-ins should migrate passwords');
    return [];
  }
  if (value.some((item) => item === UNKNOWN)) return value as string[];
  const invalid = value.filter((item) => !isGuid(item));
  if (invalid.length > 0) {
    checks.fail('clientAppIds', `clientAppIds must be application (client) IDs, got ${invalid.map((item) => JSON.stringify(item)).join(', ')}`);
    return [];
  }
  return sortedLower(value) as string[];
}

function body(inputs: EventListenerInputs): OnPasswordSubmitListener {
  return {
    '@odata.type': LISTENER_TYPE,
    displayName: inputs.displayName,
    priority: inputs.priority,
    conditions: { applications: { includeAllApplications: false, includeApplications: inputs.clientAppIds.map((appId) => ({ appId })) } },
    handler: { '@odata.type': HANDLER_TYPE, migrationPropertyId: inputs.migrationPropertyId, customExtension: { id: inputs.customExtensionId } },
  };
}

/** The managed fields as Graph holds them. `customExtension` is a relationship Graph may not expand: keep ours then. */
function fromGraph(listener: OnPasswordSubmitListener, knownExtensionId: string): Partial<EventListenerInputs> {
  return {
    displayName: listener.displayName ?? '',
    priority: listener.priority,
    clientAppIds: sortedLower((listener.conditions?.applications?.includeApplications ?? []).map((entry) => entry.appId)) as string[],
    migrationPropertyId: listener.handler?.migrationPropertyId ?? '',
    customExtensionId: listener.handler?.customExtension?.id ?? knownExtensionId,
  };
}

async function findExisting(graph: GraphClient, inputs: EventListenerInputs): Promise<OnPasswordSubmitListener | undefined> {
  const found: OnPasswordSubmitListener[] = [];
  // Listed and filtered here: at most 250 listeners per tenant.
  for await (const listener of graph.list<OnPasswordSubmitListener>(COLLECTION, { apiVersion: inputs.apiVersion })) {
    if (!sameODataType(listener['@odata.type'], LISTENER_TYPE)) continue;
    const sameName = listener.displayName === inputs.displayName;
    const sameExtension = lower(listener.handler?.customExtension?.id) === lower(inputs.customExtensionId);
    if (sameName || sameExtension) found.push(listener);
  }
  if (found.length > 1) {
    throw new Error(
      `${found.length} onPasswordSubmit listeners are named "${inputs.displayName}" or use extension ${inputs.customExtensionId} (ids ${found.map((item) => item.id).join(', ')}): ` +
        'delete the extras (DELETE /identity/authenticationEventListeners/{id}) or choose another display name',
    );
  }
  return found[0];
}

export const graphEventListenerProvider = createEventListenerProvider();
