/**
 * A directory extension property on the tenant's b2c-extensions-app: the JIT migration flag
 * (docs/entra-contracts.md#migration-flag). `POST /applications/{b2c-extensions-app object id}/extensionProperties` with
 * `{name, dataType, targetObjects}`; Graph names it `extension_{appId without hyphens}_{name}`, the value the
 * listener's `migrationPropertyId` takes (section 5). An existing property of that name is adopted.
 * Delete never deletes: deleting the property drops the value from every user (extensionProperty-delete).
 */
import type * as pulumi from '@pulumi/pulumi';
import type { Application, ExtensionProperty, ExtensionPropertyDataType, GraphClient } from '../../../lib/graph';
import { GraphError } from '../../../lib/graph';
import { Checks, diffFields, GONE, isNotFound, lower, sortedLower, targetOf, UNKNOWN, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';

/** The app External ID keeps custom user attributes on (how-to-define-custom-attributes). */
export const B2C_EXTENSIONS_APP_PREFIX = 'b2c-extensions-app';
const DATA_TYPES: readonly ExtensionPropertyDataType[] = ['Binary', 'Boolean', 'DateTime', 'Integer', 'LargeInteger', 'String'];
const TARGET_OBJECTS = ['User', 'Group', 'AdministrativeUnit', 'Application', 'Device', 'Organization'];

export interface ExtensionPropertyInputs {
  tenantId: string;
  graphBaseUrl: string;
  /** The short name (`toBeMigrated`); Graph prefixes it. */
  name: string;
  dataType: ExtensionPropertyDataType;
  targetObjects: string[];
}

export interface ExtensionPropertyOutputs extends ExtensionPropertyInputs {
  /** `extension_{b2c-extensions-app appId without hyphens}_{name}`. */
  fullName: string;
  applicationObjectId: string;
  applicationAppId: string;
}

// Graph cannot change a property: any of these is a new property (the old one stays, see delete).
const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl', replace: true },
  { name: 'name', replace: true, normalize: lower },
  { name: 'dataType', replace: true },
  { name: 'targetObjects', replace: true, normalize: sortedLower },
];

export function fullExtensionName(appId: string, name: string): string {
  return `extension_${appId.replace(/-/g, '').toLowerCase()}_${name}`;
}

export function createExtensionPropertyProvider(clientFor: GraphClientFactory = graphClientFor): pulumi.dynamic.ResourceProvider<ExtensionPropertyInputs, ExtensionPropertyOutputs> {
  const ensure = async (inputs: ExtensionPropertyInputs): Promise<{ id: string; outs: ExtensionPropertyOutputs }> => {
    const graph = clientFor(inputs);
    const owner = await findB2cExtensionsApp(graph, inputs.tenantId);
    const fullName = fullExtensionName(String(owner.appId), inputs.name);
    const path = `/applications/${encodeURIComponent(String(owner.id))}/extensionProperties`;
    let property = await findProperty(graph, path, fullName);
    if (property === undefined) {
      try {
        const created = await graph.post<ExtensionProperty>(path, { name: inputs.name, dataType: inputs.dataType, targetObjects: inputs.targetObjects });
        // Read it back so the listener that names it is not created before it replicates.
        property = await graph.get<ExtensionProperty>(`${path}/${encodeURIComponent(String(created.id))}`, { retryNotFound: true });
      } catch (error) {
        // A retried run raced us ("Property with name … already exists"): adopt it.
        if (!(error instanceof GraphError && error.status === 400)) throw error;
        property = await findProperty(graph, path, fullName);
        if (property === undefined) throw error;
      }
    }
    assertCompatible(property, inputs);
    const outs: ExtensionPropertyOutputs = {
      ...inputs,
      fullName: property.name,
      applicationObjectId: String(owner.id),
      applicationAppId: String(owner.appId),
    };
    return { id: String(property.id), outs };
  };

  return {
    async check(_olds, news) {
      const checks = new Checks();
      const raw = news as unknown as Props;
      const target = checks.target(raw);
      const name = checks.string(raw, 'name', 'set migrationPropertyName, e.g. toBeMigrated');
      if (name !== undefined && name !== UNKNOWN && !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
        checks.fail('name', `name "${name}" must start with a letter and hold only letters, digits and underscores: e.g. toBeMigrated`);
      }
      const dataType = raw.dataType ?? 'Boolean';
      if (dataType !== UNKNOWN && !DATA_TYPES.includes(dataType as ExtensionPropertyDataType)) {
        checks.fail('dataType', `dataType must be one of ${DATA_TYPES.join(', ')}; the JIT migration flag is Boolean`);
      }
      const targets = raw.targetObjects ?? ['User'];
      let targetObjects: string[] = [];
      if (Array.isArray(targets) && targets.length > 0 && targets.every((item) => item === UNKNOWN || TARGET_OBJECTS.includes(String(item)))) {
        targetObjects = [...new Set(targets.map(String))].sort();
      } else if (targets !== UNKNOWN) {
        checks.fail('targetObjects', `targetObjects must be a non-empty subset of ${TARGET_OBJECTS.join(', ')}; the JIT migration flag targets ['User']`);
      }
      const inputs = { ...target, name: name ?? '', dataType: dataType as ExtensionPropertyDataType, targetObjects };
      return { inputs, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      return diffFields(olds as unknown as Props, news as unknown as Props, FIELDS);
    },

    create: ensure,

    async read(id, props) {
      if (props === undefined) return { id };
      const graph = clientFor(targetOf(props as unknown as Props));
      try {
        const property = await graph.get<ExtensionProperty>(
          `/applications/${encodeURIComponent(props.applicationObjectId)}/extensionProperties/${encodeURIComponent(id)}`,
        );
        return { id, props: { ...props, fullName: property.name, dataType: property.dataType, targetObjects: [...property.targetObjects].sort() } };
      } catch (error) {
        if (isNotFound(error)) return GONE;
        throw error;
      }
    },

    async update(_id, _olds, news) {
      // Every field replaces, so an update only re-ensures the property (e.g. after a refresh found it gone).
      return { outs: (await ensure(news)).outs };
    },

    async delete() {
      // Never delete (see the header): `pulumi destroy` keeps the property and the users' flag values.
    },
  };
}

async function findB2cExtensionsApp(graph: GraphClient, tenantId: string): Promise<Application> {
  const apps: Application[] = [];
  for await (const app of graph.list<Application>('/applications', {
    query: { $filter: `startswith(displayName,'${B2C_EXTENSIONS_APP_PREFIX}')`, $select: 'id,appId,displayName' },
  })) {
    apps.push(app);
  }
  if (apps.length === 1) return apps[0] as Application;
  if (apps.length === 0) {
    throw new Error(
      `no b2c-extensions-app in tenant ${tenantId}: External ID tenants create it themselves, so check that tenantId names the ` +
        'External ID (external) tenant and that the deploying identity may read applications (Application.Read.All)',
    );
  }
  const names = apps.map((app) => `${String(app.displayName)} (appId ${String(app.appId)})`).join('; ');
  throw new Error(`more than one application's display name starts with "${B2C_EXTENSIONS_APP_PREFIX}" in tenant ${tenantId}: ${names}. Rename the ones you created`);
}

async function findProperty(graph: GraphClient, path: string, fullName: string): Promise<ExtensionProperty | undefined> {
  for await (const property of graph.list<ExtensionProperty>(path)) {
    if (property.name.toLowerCase() === fullName.toLowerCase()) return property;
  }
  return undefined;
}

function assertCompatible(property: ExtensionProperty, inputs: ExtensionPropertyInputs): void {
  const targets = new Set(property.targetObjects);
  if (property.dataType !== inputs.dataType || !inputs.targetObjects.every((target) => targets.has(target as ExtensionProperty['targetObjects'][number]))) {
    throw new Error(
      `${property.name} already exists as a ${property.dataType} on ${property.targetObjects.join(', ')}, not a ${inputs.dataType} on ` +
        `${inputs.targetObjects.join(', ')}: choose another migrationPropertyName (deleting the existing property would drop every user's value)`,
    );
  }
}

export const graphExtensionPropertyProvider = createExtensionPropertyProvider();
