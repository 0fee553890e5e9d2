/**
 * Azure AD B2C user flows under `/beta/identity/b2cUserFlows` (Graph beta b2cIdentityUserFlow):
 * `POST {id, userFlowType, userFlowTypeVersion}` answers 201 with the id prefixed `B2C_1_` and a Location
 * header (identitycontainer-post-b2cuserflows); `GET`, `GET {id}`, `DELETE {id}` (204).
 * Inference (undocumented): 409 for a name that exists (as keySets answer), the error code and wording, and
 * the defaults `isLanguageCustomizationEnabled: false`, `defaultLanguageTag: "en"` taken from the doc's example.
 */
import type { Directory } from '../directory';
import { asObject, EmulatorError, json, noContent, notFound, type EmulatedRequest, type EmulatedResponse, type Json } from '../protocol';
import { PERMISSIONS, route, type Route } from '../router';
import { invalidValue, rejectUnknownProperties, requireString, requireValue } from '../shapes';

export const USER_FLOW_PREFIX = 'B2C_1_';
const USER_FLOW_TYPES = ['signUp', 'signIn', 'signUpOrSignIn', 'passwordReset', 'profileUpdate', 'resourceOwner'];
const ALLOWED = new Set(['id', 'userFlowType', 'userFlowTypeVersion', 'isLanguageCustomizationEnabled', 'defaultLanguageTag', 'identityProviders', 'apiConnectorConfiguration']);

export const b2cUserFlowRoutes: Route[] = [
  route('GET', 'identity/b2cUserFlows', PERMISSIONS.userFlowsRead, ({ directory }) => json(200, { value: [...directory.b2cUserFlows.values()] })),
  route('POST', 'identity/b2cUserFlows', PERMISSIONS.userFlowsWrite, ({ directory }, request) => createUserFlow(directory, request)),
  route('GET', 'identity/b2cUserFlows/:id', PERMISSIONS.userFlowsRead, ({ directory }, _request, { id }) => json(200, findUserFlow(directory, id as string))),
  route('DELETE', 'identity/b2cUserFlows/:id', PERMISSIONS.userFlowsWrite, ({ directory }, _request, { id }) => {
    directory.b2cUserFlows.delete(String(findUserFlow(directory, id as string, { replicated: true }).id).toLowerCase());
    return noContent();
  }),
];

function createUserFlow(directory: Directory, request: EmulatedRequest): EmulatedResponse {
  const body = asObject(request.body, 'b2cIdentityUserFlow');
  rejectUnknownProperties(body, ALLOWED);
  const name = requireString(body, 'id', 'b2cIdentityUserFlow', 100);
  if (name.toUpperCase().startsWith(USER_FLOW_PREFIX)) throw invalidValue('id', 'b2cIdentityUserFlow', `give the name without ${USER_FLOW_PREFIX}: B2C adds it`);
  const type = requireString(body, 'userFlowType', 'b2cIdentityUserFlow');
  if (!USER_FLOW_TYPES.includes(type)) throw invalidValue('userFlowType', 'b2cIdentityUserFlow');
  const version = requireValue(body, 'userFlowTypeVersion', 'b2cIdentityUserFlow');
  if (typeof version !== 'number' || version <= 0) throw invalidValue('userFlowTypeVersion', 'b2cIdentityUserFlow');
  const id = `${USER_FLOW_PREFIX}${name}`;
  const key = id.toLowerCase();
  if (directory.b2cUserFlows.has(key)) throw new EmulatorError(409, 'AADB2C', `A user flow with the id '${id}' already exists.`);
  const flow: Json = { id, userFlowType: type, userFlowTypeVersion: version, isLanguageCustomizationEnabled: false, defaultLanguageTag: 'en' };
  directory.b2cUserFlows.set(key, flow);
  directory.created(`userflow:${key}`);
  return { status: 201, headers: { Location: `/identity/b2cUserFlows/${id}` }, body: flow };
}

/** Reads see a just-created flow only after the replication delay; a delete finds it at once. */
function findUserFlow(directory: Directory, id: string, { replicated = false } = {}): Json {
  const key = id.toLowerCase();
  const flow = directory.b2cUserFlows.get(key);
  if (flow === undefined || (!replicated && directory.isReplicating(`userflow:${key}`))) throw notFound(`The user flow '${id}' was not found.`);
  return flow;
}
