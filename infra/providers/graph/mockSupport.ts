/**
 * `pulumi.runtime.setMocks` for the Entra components' tests (azure-pulumi.md 7): records every resource (with
 * its options, through a stack transformation) and invoke, and answers with deterministic computed outputs.
 * Call `startMocks` in `beforeAll`, then import the component. No jest imports.
 */
import { createHash } from 'node:crypto';
import type * as pulumiType from '@pulumi/pulumi';
import { keyIdFor } from './applicationEncryptionKey';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const RECEIVE_PAYLOAD_ROLE_ID = '214e810f-fda8-4fd7-a475-29461495eb00';
export const USER_READ_SCOPE_ID = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d';
export const OPENID_SCOPE_ID = '37f7f235-527c-4136-accd-4a02d197296e';

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
  state: Record<string, any>;
  id: string;
}

export interface MockWorld {
  resources: Recorded[];
  calls: Array<{ token: string; inputs: Record<string, any>; provider?: string }>;
  /** Resource options by `type::name`, for resources built under `capture`. */
  options: Map<string, pulumiType.CustomResourceOptions>;
  /** Pass as `{ transformations: [world.capture] }` to a component: its children inherit it. */
  capture: pulumiType.ResourceTransformation;
  /** What the Microsoft Graph principal offers: tests remove entries to see a missing permission fail. */
  graphAppRoleIds: Record<string, string>;
  graphScopeIds: Record<string, string>;
  /** Resolves once no resource has been registered for a moment. */
  settled(): Promise<void>;
}

/** A stable GUID per label, so two runs register identical resources. */
export function guidFor(label: string): string {
  const hex = createHash('sha256').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function startMocks(pulumi: typeof pulumiType, project = 'entra-jit-migration', stack = 'dev'): Promise<MockWorld> {
  let lastRegistration = Date.now();
  const world: MockWorld = {
    resources: [],
    calls: [],
    options: new Map(),
    capture: (args) => {
      world.options.set(`${args.type}::${args.name}`, args.opts as pulumiType.CustomResourceOptions);
      return undefined;
    },
    graphAppRoleIds: { [`CustomAuthenticationExtension.Receive.Payload`]: RECEIVE_PAYLOAD_ROLE_ID, 'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214' },
    graphScopeIds: { 'User.Read': USER_READ_SCOPE_ID, openid: OPENID_SCOPE_ID, profile: '14dad69e-099b-42c9-810b-d002981feec1' },
    async settled() {
      do await new Promise((resolve) => setTimeout(resolve, 20));
      while (Date.now() - lastRegistration < 60);
    },
  };

  await pulumi.runtime.setMocks(
    {
      call(args) {
        world.calls.push({ token: args.token, inputs: args.inputs, ...(args.provider ? { provider: args.provider } : {}) });
        if (args.token === 'azuread:index/getServicePrincipal:getServicePrincipal') {
          const clientId = String(args.inputs.clientId);
          return {
            ...args.inputs,
            id: guidFor(`sp:${clientId}`),
            objectId: guidFor(`sp:${clientId}`),
            appRoleIds: clientId === GRAPH_APP_ID ? { ...world.graphAppRoleIds } : {},
            oauth2PermissionScopeIds: clientId === GRAPH_APP_ID ? { ...world.graphScopeIds } : {},
          };
        }
        return args.inputs;
      },
      newResource(args) {
        lastRegistration = Date.now();
        const { id, state } = compute(args);
        world.resources.push({ type: args.type, name: args.name, inputs: args.inputs, id, state, ...(args.provider ? { provider: args.provider } : {}) });
        return { id, state };
      },
    },
    project,
    stack,
    false,
  );
  return world;
}

function compute(args: pulumiType.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
  const inputs = args.inputs as Record<string, any>;
  const objectId = guidFor(`object:${args.name}`);
  switch (args.type) {
    case 'pulumi:providers:azuread':
      return { id: `provider-${args.name}`, state: inputs };
    case 'azuread:index/application:Application':
    case 'azuread:index/applicationRegistration:ApplicationRegistration':
      return { id: `/applications/${objectId}`, state: { ...inputs, objectId, clientId: guidFor(`client:${args.name}`) } };
    case 'azuread:index/servicePrincipal:ServicePrincipal':
      return { id: `/servicePrincipals/${objectId}`, state: { ...inputs, objectId } };
    case 'pulumi-nodejs:dynamic/graph:ServicePrincipal':
      return { id: objectId, state: { ...inputs, objectId, displayName: 'Azure Active Directory Authentication Extensions' } };
    case 'pulumi-nodejs:dynamic/graph:ApplicationEncryptionKey': {
      const keyId = keyIdFor(String(inputs.certificate?.thumbprintHex ?? ''));
      return { id: `${inputs.applicationObjectId}/tokenEncryptionKey`, state: { ...inputs, keyId, tokenEncryptionKeyId: keyId } };
    }
    case 'pulumi-nodejs:dynamic/graph:ExtensionProperty': {
      const appId = 'b7b1c57b-532f-40b8-b5ed-4b7a7ba67401';
      return { id: objectId, state: { ...inputs, fullName: `extension_${appId.replace(/-/g, '')}_${inputs.name}`, applicationAppId: appId, applicationObjectId: guidFor('b2c') } };
    }
    default:
      return { id: args.custom === false ? '' : objectId, state: inputs };
  }
}

/** An output's value under mocks. */
export function valueOf<T>(output: pulumiType.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}
