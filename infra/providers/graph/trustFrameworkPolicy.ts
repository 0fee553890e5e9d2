/**
 * One Azure AD B2C custom policy file (Identity Experience Framework), uploaded with
 * `PUT /beta/trustFramework/policies/{id}/$value`, `Content-Type: application/xml` (required), answered 201 for
 * a new policy and 200 for a replaced one (Graph beta trustframework-put-trustframeworkpolicy; reference
 * azure-ad-b2c-jit.md section 8). PUT is create-or-replace, so a retried create never duplicates anything.
 *
 * The XML is a plain input: `pulumi preview --diff` shows an auditor the changed lines, and `diff` compares the
 * text with only its line endings normalised, so an unchanged policy is not uploaded again. Upload order (base,
 * layer, relying parties) is the program's `dependsOn`: this provider never reorders or retries a refusal
 * away; a refused upload reports B2C's own text and leaves every policy in the tenant as it was.
 * Permission: `Policy.ReadWrite.TrustFramework`.
 */
import { createHash } from 'node:crypto';
import type * as pulumi from '@pulumi/pulumi';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { GraphError } from '../../../lib/graph';
import { Checks, diffFields, GONE, isNotFound, lower, targetOf, UNKNOWN, type Props } from './common';
import { graphClientFor, type GraphClientFactory } from './graphClient';

export interface TrustFrameworkPolicyInputs {
  tenantId: string;
  graphBaseUrl: string;
  /** `B2C_1A_…`, the document's `PolicyId`. */
  policyId: string;
  /** The policy file, line endings normalised to `\n` by `check`. */
  xml: string;
}

export interface TrustFrameworkPolicyOutputs extends TrustFrameworkPolicyInputs {
  /** Hex SHA-256 of the uploaded XML. */
  sha256: string;
}

const POLICY_ID = /^B2C_1A_[A-Za-z0-9_]+$/i;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseTagValue: false });

// Policy ids are case-insensitive in B2C: another case is the same policy, not a replace that would delete it.
const FIELDS = [
  { name: 'tenantId', replace: true, normalize: lower },
  { name: 'graphBaseUrl' },
  { name: 'policyId', replace: true, normalize: lower },
  { name: 'xml', normalize: (value: unknown) => (typeof value === 'string' ? normalizeLineEndings(value) : value) },
];

export const normalizeLineEndings = (xml: string): string => xml.replace(/\r\n?/g, '\n');

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * What a downloaded policy is compared by: B2C serves it back with a `TenantObjectId` on the root element the
 * upload did not carry (as policies downloaded from B2C do; inference), so that attribute is ignored.
 */
export function comparablePolicyXml(xml: string): string {
  return normalizeLineEndings(xml).replace(/(<TrustFrameworkPolicy\b[^>]*?)\s+TenantObjectId\s*=\s*"[^"]*"/, '$1');
}

/** Why the document cannot be policy `policyId`, or undefined: checked before anything is sent. */
export function policyDocumentProblem(xml: string, policyId: string): string | undefined {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) return `xml of ${policyId} is not well-formed XML: ${validation.err.msg} at line ${validation.err.line}. Fix the file`;
  const root = (parser.parse(xml) as Record<string, unknown>).TrustFrameworkPolicy as Record<string, unknown> | undefined;
  if (typeof root !== 'object' || root === null) return `xml of ${policyId} must have a TrustFrameworkPolicy root element`;
  const documentId = String(root['@_PolicyId'] ?? '');
  if (documentId.toLowerCase() !== policyId.toLowerCase()) {
    return `xml has PolicyId "${documentId}" but policyId is "${policyId}": B2C stores a file under its own PolicyId, so make them the same`;
  }
  return undefined;
}

export function createTrustFrameworkPolicyProvider(
  clientFor: GraphClientFactory = graphClientFor,
): pulumi.dynamic.ResourceProvider<TrustFrameworkPolicyInputs, TrustFrameworkPolicyOutputs> {
  const upload = async (inputs: TrustFrameworkPolicyInputs, created: boolean): Promise<TrustFrameworkPolicyOutputs> => {
    const graph = clientFor(inputs);
    const path = valuePath(inputs.policyId);
    try {
      await graph.request('PUT', path, { apiVersion: 'beta', rawBody: { contentType: 'application/xml', text: inputs.xml } });
    } catch (error) {
      throw refusalOf(error, inputs.policyId);
    }
    // The next file in the chain names this one as its base: wait until B2C serves it (replication).
    if (created) await graph.get(path, { apiVersion: 'beta', retryNotFound: true, headers: { Accept: 'application/xml' } });
    return { ...inputs, sha256: sha256Hex(inputs.xml) };
  };

  return {
    async check(_olds, news) {
      const checks = new Checks();
      const raw = news as unknown as Props;
      const target = checks.target(raw, 'the B2C tenant');
      const policyId = checks.string(raw, 'policyId', 'set it to the policy id, e.g. B2C_1A_JIT_SignUpOrSignIn') ?? '';
      if (policyId !== '' && policyId !== UNKNOWN && !POLICY_ID.test(policyId)) {
        checks.fail('policyId', `policyId "${policyId}" must be B2C_1A_ followed by letters, digits and underscores, as B2C names custom policies`);
      }
      let xml = raw.xml;
      if (xml !== UNKNOWN) {
        if (typeof xml !== 'string' || xml.trim() === '') {
          checks.fail('xml', 'xml is missing: pass the policy file from generateB2cPolicies');
        } else {
          xml = normalizeLineEndings(xml);
          const problem = policyId === '' || policyId === UNKNOWN ? undefined : policyDocumentProblem(xml as string, policyId);
          if (problem !== undefined) checks.fail('xml', problem);
        }
      }
      return { inputs: { ...target, policyId, xml: typeof xml === 'string' ? xml : '' }, failures: checks.failures };
    },

    async diff(_id, olds, news) {
      return diffFields(olds as unknown as Props, news as unknown as Props, FIELDS);
    },

    async create(inputs) {
      return { id: inputs.policyId, outs: await upload(inputs, true) };
    },

    async read(id, props) {
      if (props === undefined) return { id };
      const graph = clientFor(targetOf(props as unknown as Props));
      let served: unknown;
      try {
        served = await graph.get(valuePath(id), { apiVersion: 'beta', headers: { Accept: 'application/xml' } });
      } catch (error) {
        if (isNotFound(error)) return GONE;
        throw error;
      }
      const xml = typeof served === 'string' ? served : '';
      // Edited in the portal: the refreshed state holds B2C's text, so the next `up` shows the lines and re-uploads.
      if (comparablePolicyXml(xml) === comparablePolicyXml(props.xml)) return { id, props };
      const drifted = normalizeLineEndings(xml);
      return { id, props: { ...props, xml: drifted, sha256: sha256Hex(drifted) } };
    },

    async update(_id, _olds, news) {
      return { outs: await upload(news, false) };
    },

    async delete(id, props) {
      await clientFor(targetOf(props as unknown as Props)).delete(`/trustFramework/policies/${encodeURIComponent(id)}`, { apiVersion: 'beta', ignoreNotFound: true });
    },
  };
}

const valuePath = (policyId: string): string => `/trustFramework/policies/${encodeURIComponent(policyId)}/$value`;

/** B2C's validation messages are precise (the missing base policy or profile, the insecure auth mode): pass them on. */
function refusalOf(error: unknown, policyId: string): unknown {
  if (!(error instanceof GraphError) || error.status < 400 || error.status >= 500 || error.status === 401 || error.status === 403 || error.status === 429) return error;
  const said = error.graphMessage ?? error.message;
  return new Error(`B2C refused policy ${policyId} (HTTP ${error.status}): ${said} — fix the file or upload what it names first; the policies already in the tenant are unchanged`);
}

export const graphTrustFrameworkPolicyProvider = createTrustFrameworkPolicyProvider();
