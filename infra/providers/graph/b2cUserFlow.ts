/**
 * One Azure AD B2C user flow (`b2cIdentityUserFlow`) under `/beta/identity/b2cUserFlows` (Graph beta
 * identitycontainer-post-b2cuserflows, b2cidentityuserflow-get / -delete). Create is `POST {id, userFlowType,
 * userFlowTypeVersion}` with the name without its prefix; B2C answers 201 with the id `B2C_1_{name}`, the name
 * the token endpoint takes as its policy. Permission: `IdentityUserFlow.ReadWrite.All`.
 *
 * The type and its version are what the flow is, not settings Graph lets a PATCH change, so a change of either
 * (or of the name or tenant) replaces the flow; Graph's URL alone is an update that sends nothing. A create
 * retried after a lost answer, or re-run after a crash, meets 409: the flow of that name is adopted when it has
 * the type asked for, and refused with the fix when it has another (it is someone else's flow). Right after the
 * create the flow may not have replicated: the provider reads it back, waiting out 404s, before it reports it.
 */
import type * as pulumi from '@pulumi/pulumi';
import { GraphError } from '../../../lib/graph';
import { Checks, diffFields, GONE, isNotFound, lower, targetOf, UNKNOWN, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';

/** What B2C puts in front of a user flow's name (the doc's example: `Customer` becomes `B2C_1_Customer`). */
export const USER_FLOW_PREFIX = 'B2C_1_';
/** Graph's userFlowType values (identityuserflow resource type). */
export const USER_FLOW_TYPES = ['signUp', 'signIn', 'signUpOrSignIn', 'passwordReset', 'profileUpdate', 'resourceOwner'] as const;
export type UserFlowType = (typeof USER_FLOW_TYPES)[number];

export interface B2cUserFlowInputs {
  tenantId: string;
  graphBaseUrl: string;
  /** With or without `B2C_1_`; check() stores it with the prefix, as B2C names the flow. */
  userFlowId: string;
  userFlowType: UserFlowType;
  userFlowTypeVersion: number;
}

export type B2cUserFlowOutputs = B2cUserFlowInputs;

const NAME = /^[A-Za-z0-9_]{1,100}$/;
const COLLECTION = '/identity/b2cUserFlows';

const withPrefix = (name: string): string => (name.toUpperCase().startsWith(USER_FLOW_PREFIX) ? `${USER_FLOW_PREFIX}${name.slice(USER_FLOW_PREFIX.length)}` : `${USER_FLOW_PREFIX}${name}`);
const flowPath = (id: string): string => `${COLLECTION}/${encodeURIComponent(id)}`;

// User flow names are case-insensitive in B2C: another case is the same flow, not a replace that would delete it.
const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl' },
  { name: 'userFlowId', replace: true, normalize: lower },
  { name: 'userFlowType', replace: true },
  { name: 'userFlowTypeVersion', replace: true },
];

interface ServedFlow {
  id?: unknown;
  userFlowType?: unknown;
  userFlowTypeVersion?: unknown;
}

export function createB2cUserFlowProvider(clientFor: GraphClientFactory = graphClientFor): pulumi.dynamic.ResourceProvider<B2cUserFlowInputs, B2cUserFlowOutputs> {
  return {
    async check(_olds, news) {
      const checks = new Checks();
      const raw = news as unknown as Props;
      const target = checks.target(raw, 'the B2C tenant');
      let userFlowId = checks.string(raw, 'userFlowId', 'set it to the user flow name, e.g. B2C_1_ROPC') ?? '';
      if (/^B2C_1A_/i.test(userFlowId)) {
        checks.fail('userFlowId', `userFlowId ${userFlowId} names a custom policy (B2C_1A_): a user flow is named B2C_1_…, e.g. B2C_1_ROPC`);
      } else if (userFlowId !== '' && userFlowId !== UNKNOWN) {
        userFlowId = withPrefix(userFlowId);
        if (!NAME.test(userFlowId.slice(USER_FLOW_PREFIX.length))) {
          checks.fail('userFlowId', `userFlowId "${userFlowId}" must be B2C_1_ followed by letters, digits and underscores, as B2C names user flows`);
        }
      }
      const userFlowType = raw.userFlowType;
      if (userFlowType !== UNKNOWN && !(USER_FLOW_TYPES as readonly unknown[]).includes(userFlowType)) {
        checks.fail('userFlowType', `userFlowType must be one of ${USER_FLOW_TYPES.join(', ')}, got "${String(userFlowType)}"`);
      }
      const version = raw.userFlowTypeVersion;
      if (version !== UNKNOWN && (typeof version !== 'number' || !Number.isFinite(version) || version <= 0)) {
        checks.fail('userFlowTypeVersion', `userFlowTypeVersion must be a positive number (the user flow's version, e.g. 1), got "${String(version)}"`);
      }
      return { inputs: { ...target, userFlowId, userFlowType: userFlowType as UserFlowType, userFlowTypeVersion: version as number }, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      return diffFields(olds as unknown as Props, news as unknown as Props, FIELDS);
    },

    async create(inputs) {
      const graph = clientFor(inputs);
      const name = inputs.userFlowId.slice(USER_FLOW_PREFIX.length);
      let id = inputs.userFlowId;
      try {
        const created = await graph.post<ServedFlow>(COLLECTION, { id: name, userFlowType: inputs.userFlowType, userFlowTypeVersion: inputs.userFlowTypeVersion }, { apiVersion: 'beta' });
        if (typeof created.id === 'string' && created.id !== '') id = created.id;
      } catch (error) {
        if (!(error instanceof GraphError && error.status === 409)) throw error;
        // A retried or re-run create made it already: adopt it, but never someone else's flow of another type.
        const existing = await graph.get<ServedFlow>(flowPath(id), { apiVersion: 'beta', retryNotFound: true });
        if (String(existing.userFlowType).toLowerCase() !== inputs.userFlowType.toLowerCase()) {
          throw new Error(
            `The B2C tenant already has a user flow ${id} of type ${String(existing.userFlowType)}, not ${inputs.userFlowType}: choose another name (e.g. pulumi config set legacyB2cUserFlow B2C_1_JIT_ROPC), or delete that flow if it is unused`,
          );
        }
        id = typeof existing.id === 'string' && existing.id !== '' ? existing.id : id;
      }
      // The function's first ROPC call names this flow: report it once B2C serves it (replication).
      await graph.get<ServedFlow>(flowPath(id), { apiVersion: 'beta', retryNotFound: true });
      return { id, outs: { ...inputs, userFlowId: id } };
    },

    async read(id, props) {
      if (props === undefined) return { id };
      let served: ServedFlow;
      try {
        served = await clientFor(targetOf(props as unknown as Props)).get<ServedFlow>(flowPath(id), { apiVersion: 'beta' });
      } catch (error) {
        if (isNotFound(error)) return GONE;
        throw error;
      }
      // What B2C serves wins: a flow changed outside Pulumi shows up as a replace on the next preview.
      return {
        id,
        props: {
          ...props,
          userFlowId: typeof served.id === 'string' && served.id !== '' ? served.id : id,
          ...(typeof served.userFlowType === 'string' ? { userFlowType: served.userFlowType } : {}),
          ...(typeof served.userFlowTypeVersion === 'number' ? { userFlowTypeVersion: served.userFlowTypeVersion } : {}),
        },
      };
    },

    // Only graphBaseUrl reaches here (every other field replaces): nothing to send to B2C.
    async update(id, _olds, news) {
      return { outs: { ...news, userFlowId: id } };
    },

    async delete(id, props) {
      await clientFor(targetOf(props as unknown as Props)).delete(flowPath(id), { apiVersion: 'beta', ignoreNotFound: true });
    },
  };
}

export const graphB2cUserFlowProvider = createB2cUserFlowProvider();
