/**
 * One Azure AD B2C policy key (Identity Experience Framework → Policy keys): `POST /beta/trustFramework/keySets
 * {id}` (B2C names it `B2C_1A_{id}`), then `POST .../{id}/uploadSecret {use, k}` or `.../uploadPkcs12
 * {key, password}`; `getActiveKey` gives the `kid` (Graph beta trustframeworkkeyset-*, reference
 * azure-ad-b2c-jit.md section 8). Permission: `TrustFrameworkKeySet.ReadWrite.All`.
 *
 * The material is a Pulumi secret input: the resource class wraps it with `pulumi.secret` and lists it in
 * `additionalSecretOutputs`, so the state holds it encrypted (azure-pulumi.md 6.3), `diff` answers names only,
 * and errors never carry it (lib/graph redacts `k`, `key` and `password` from Graph's messages). B2C never
 * returns it: a key set is compared with what we uploaded, and a changed secret is a new upload (the newest key
 * becomes the active one), not a replace. A create retried after a lost answer meets 409: the set is adopted.
 */
import { B2C_KEY_PREFIX } from '../../../lib/b2c/policies/policyKeys';
import type * as pulumi from '@pulumi/pulumi';
import { GraphError, type GraphClient } from '../../../lib/graph';
import { Checks, diffFields, GONE, isNotFound, lower, targetOf, UNKNOWN, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';

/** What B2C puts in front of a key set's name (the doc's example response `"id": "B2C_1A_keyset1"`). */
/** B2C adds it to every key set's id (the policies' `StorageReferenceId`); the generator's one copy. */
export const KEY_SET_PREFIX = B2C_KEY_PREFIX;
export const KEY_USES = ['sig', 'enc'] as const;
export type KeyUse = (typeof KEY_USES)[number];

export interface Pkcs12Input {
  /** Base-64 of the .pfx. */
  key: string;
  password: string;
}

export interface TrustFrameworkKeySetInputs {
  tenantId: string;
  graphBaseUrl: string;
  /** Without the prefix, e.g. `JIT_ApiPassword` (a given `B2C_1A_` prefix is dropped, so it is never doubled). */
  keySetId: string;
  use: KeyUse;
  secret?: string;
  pkcs12?: Pkcs12Input;
}

export interface TrustFrameworkKeySetOutputs extends Omit<TrustFrameworkKeySetInputs, 'keySetId'> {
  /** With the prefix: the name the policies' `StorageReferenceId` use. */
  keySetId: string;
  /** The active key's id after our upload. */
  kid: string;
}

const KEY_SET_NAME = /^[A-Za-z0-9_]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const COLLECTION = '/trustFramework/keySets';
/** Pauses before each read of the active key after an upload. */
const ACTIVE_KEY_PAUSES_MS = [0, 1000, 2000, 4000];

const withoutPrefix = (value: unknown): unknown =>
  typeof value === 'string' ? (value.toUpperCase().startsWith(KEY_SET_PREFIX) ? value.slice(KEY_SET_PREFIX.length) : value).toLowerCase() : value;

// A different tenant or name is another key set; the material and its use are a new upload into the same one.
const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl' },
  { name: 'keySetId', replace: true, normalize: withoutPrefix },
  { name: 'use' },
  { name: 'secret' },
  { name: 'pkcs12' },
];
const UPLOADED = ['use', 'secret', 'pkcs12'];

export function createTrustFrameworkKeySetProvider(
  clientFor: GraphClientFactory = graphClientFor,
): pulumi.dynamic.ResourceProvider<TrustFrameworkKeySetInputs, TrustFrameworkKeySetOutputs> {
  const upload = async (graph: GraphClient, id: string, inputs: TrustFrameworkKeySetInputs): Promise<string> => {
    const path = `${COLLECTION}/${encodeURIComponent(id)}`;
    // Right after the create the set may not have replicated: a 404 is retried.
    const options = { apiVersion: 'beta' as const, retryNotFound: true };
    if (inputs.pkcs12 !== undefined) await graph.post(`${path}/uploadPkcs12`, { key: inputs.pkcs12.key, password: inputs.pkcs12.password }, options);
    else await graph.post(`${path}/uploadSecret`, { use: inputs.use, k: inputs.secret }, options);
    // An empty kid right after the upload is replication lag, not "no key": storing it would make every
    // later preview report a change (diff below), so read again for a few seconds first.
    for (const pause of ACTIVE_KEY_PAUSES_MS) {
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      const active = await graph.get<{ kid?: unknown }>(`${path}/getActiveKey`, options);
      if (typeof active.kid === 'string' && active.kid !== '') return active.kid;
    }
    return '';
  };

  const outputs = (inputs: TrustFrameworkKeySetInputs, keySetId: string, kid: string): TrustFrameworkKeySetOutputs => ({ ...inputs, keySetId, kid });

  return {
    async check(_olds, news) {
      const checks = new Checks();
      const raw = news as unknown as Props;
      const target = checks.target(raw, 'the B2C tenant');
      let keySetId = checks.string(raw, 'keySetId', 'set it to the policy key name without B2C_1A_, e.g. JIT_ApiPassword') ?? '';
      if (keySetId !== '' && keySetId !== UNKNOWN) {
        if (keySetId.toUpperCase().startsWith(KEY_SET_PREFIX)) keySetId = keySetId.slice(KEY_SET_PREFIX.length);
        if (!KEY_SET_NAME.test(keySetId)) checks.fail('keySetId', `keySetId "${keySetId}" must hold only letters, digits and underscores, e.g. JIT_ApiPassword`);
      }
      const use = raw.use;
      if (use !== UNKNOWN && !(KEY_USES as readonly unknown[]).includes(use)) {
        checks.fail('use', `use must be "sig" or "enc" (the portal's Signature or Encryption key usage), got "${String(use)}"`);
      }
      const inputs: TrustFrameworkKeySetInputs = { ...target, keySetId, use: use as KeyUse };
      const hasSecret = raw.secret !== undefined && raw.secret !== null;
      const hasPkcs12 = raw.pkcs12 !== undefined && raw.pkcs12 !== null;
      if (hasSecret === hasPkcs12) {
        checks.fail(hasSecret ? 'pkcs12' : 'secret', 'give exactly one of secret (a string B2C stores) and pkcs12 ({key: base-64 .pfx, password})');
      } else if (hasSecret) {
        // Never echoed: the reason names the property only.
        if (raw.secret !== UNKNOWN && (typeof raw.secret !== 'string' || raw.secret === '')) checks.fail('secret', 'secret must be a non-empty string');
        inputs.secret = raw.secret as string;
      } else {
        const pkcs12 = raw.pkcs12 as Props;
        if (pkcs12 !== (UNKNOWN as unknown)) {
          if (typeof pkcs12 !== 'object' || (pkcs12.key !== UNKNOWN && (typeof pkcs12.key !== 'string' || !BASE64.test(pkcs12.key)))) {
            checks.fail('pkcs12', 'pkcs12.key must be the base-64 encoded .pfx (with its private key)');
          }
          if (typeof pkcs12 === 'object' && pkcs12.password !== UNKNOWN && typeof pkcs12.password !== 'string') checks.fail('pkcs12', 'pkcs12.password must be a string (the .pfx password)');
        }
        if (use !== UNKNOWN && use !== 'sig') checks.fail('use', 'a certificate (pkcs12) is a signature key: set use to "sig"');
        inputs.pkcs12 = pkcs12 as unknown as Pkcs12Input;
      }
      return { inputs, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      const result = diffFields(olds as unknown as Props, news as unknown as Props, FIELDS);
      // A refresh found no active key (emptied in the portal): upload ours again.
      return result.changes || olds.kid !== '' ? result : { changes: true, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
      const graph = clientFor(inputs);
      let id: string;
      try {
        const created = await graph.post<{ id?: unknown }>(COLLECTION, { id: inputs.keySetId }, { apiVersion: 'beta' });
        id = String(created.id ?? `${KEY_SET_PREFIX}${inputs.keySetId}`);
      } catch (error) {
        // A retried run (or a crashed one) made it already: adopt it and upload ours as the active key.
        if (!(error instanceof GraphError && error.status === 409)) throw error;
        id = `${KEY_SET_PREFIX}${inputs.keySetId}`;
      }
      return { id, outs: outputs(inputs, id, await upload(graph, id, inputs)) };
    },

    async read(id, props) {
      if (props === undefined) return { id };
      const graph = clientFor(targetOf(props as unknown as Props));
      const path = `${COLLECTION}/${encodeURIComponent(id)}`;
      let keySet: { keys?: unknown };
      try {
        keySet = await graph.get<{ keys?: unknown }>(path, { apiVersion: 'beta' });
      } catch (error) {
        if (isNotFound(error)) return GONE;
        throw error;
      }
      // A set emptied in the portal has no active key: '' makes the next `up` upload ours again.
      const active = Array.isArray(keySet.keys) && keySet.keys.length > 0 ? await graph.get<{ kid?: unknown }>(`${path}/getActiveKey`, { apiVersion: 'beta' }) : {};
      return { id, props: { ...props, kid: String(active.kid ?? '') } };
    },

    async update(id, olds, news) {
      const graph = clientFor(news);
      const changed = UPLOADED.some((name) => diffFields(olds as unknown as Props, news as unknown as Props, [{ name }]).changes);
      const kid = changed || olds.kid === '' ? await upload(graph, id, news) : olds.kid;
      return { outs: outputs(news, id, kid) };
    },

    async delete(id, props) {
      await clientFor(targetOf(props as unknown as Props)).delete(`${COLLECTION}/${encodeURIComponent(id)}`, { apiVersion: 'beta', ignoreNotFound: true });
    },
  };
}

export const graphTrustFrameworkKeySetProvider = createTrustFrameworkKeySetProvider();
