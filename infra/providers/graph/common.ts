/**
 * What the Graph providers share: input checks that name the fix, normalisation, and one explicit diff
 * over normalised fields (docs/graph-objects.md#how-the-dynamic-providers-behave: sorted arrays, lower-cased GUIDs, server-generated
 * fields ignored, `changes: false` when equal, identity fields in `replaces`).
 * Provider modules import types only from @pulumi/pulumi: they are bundled into dist/infra/providers.cjs.
 */
import type * as pulumi from '@pulumi/pulumi';
import { GRAPH_API_VERSIONS, GraphError, JIT_OBJECTS_API_VERSION, type GraphApiVersion } from '../../../lib/graph';
import { isHttpsOrLoopbackHttp } from '../../../lib/net/loopback';
import type { GraphTarget } from './graphClient';
import { GUID } from '../../../lib/ids/guid';

/** Pulumi's placeholder for a value not known yet during preview (`unknownValue` in @pulumi/pulumi runtime/rpc.js). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

export type Props = Record<string, unknown>;

/** True when the value, or anything inside it, is still unknown (preview). */
export function isUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(isUnknown);
  return false;
}

export const isGuid = (value: unknown): value is string => typeof value === 'string' && GUID.test(value);

/** Collects `check` failures; every reason says what to change. Unknown values are left for the real run. */
export class Checks {
  readonly failures: pulumi.dynamic.CheckFailure[] = [];

  fail(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }

  /** A non-empty string (trimmed), or a failure. Unknown passes through. */
  string(inputs: Props, property: string, fix: string): string | undefined {
    const value = inputs[property];
    if (value === UNKNOWN) return UNKNOWN;
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(property, `${property} is missing: ${fix}`);
      return undefined;
    }
    return value.trim();
  }

  guid(inputs: Props, property: string, fix: string): string | undefined {
    const value = this.string(inputs, property, fix);
    if (value === undefined || value === UNKNOWN) return value;
    if (!isGuid(value)) {
      this.fail(property, `${property} must be a GUID, got "${value}": ${fix}`);
      return undefined;
    }
    return value.toLowerCase();
  }

  /** tenantId and graphBaseUrl, which every Graph resource carries; `tenant` names which tenant in the fix. */
  target(inputs: Props, tenant = 'the External ID tenant'): GraphTarget {
    const tenantId = this.guid(inputs, 'tenantId', `set it to ${tenant} ID (a GUID)`) ?? '';
    const raw = this.string(inputs, 'graphBaseUrl', 'set it to https://graph.microsoft.com (or a national cloud Graph URL)') ?? '';
    return { tenantId, graphBaseUrl: raw === '' || raw === UNKNOWN ? raw : this.baseUrl(raw) };
  }

  /**
   * `apiVersion` of the JIT objects: v1.0 (default) or beta. It is how the provider talks to Graph, not a
   * property of the object (both versions serve the same ids), so no diff compares it.
   */
  apiVersion(inputs: Props): GraphApiVersion {
    const value = inputs.apiVersion ?? JIT_OBJECTS_API_VERSION;
    if (!(GRAPH_API_VERSIONS as readonly unknown[]).includes(value)) {
      this.fail('apiVersion', `apiVersion must be "v1.0" (the default) or "beta" (as the JIT guide's examples), got "${String(value)}"`);
      return JIT_OBJECTS_API_VERSION;
    }
    return value as GraphApiVersion;
  }

  private baseUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.fail('graphBaseUrl', `graphBaseUrl "${raw}" is not a URL: use e.g. https://graph.microsoft.com`);
      return raw;
    }
    if (!isHttpsOrLoopbackHttp(url) || url.search !== '' || url.hash !== '' || url.username !== '') {
      this.fail('graphBaseUrl', `graphBaseUrl must be a plain https URL like https://graph.microsoft.com, got "${raw}"`);
      return raw;
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  }
}

/** How a field is compared in `diff`. */
export interface FieldSpec {
  name: string;
  /** Changing it means a different Graph object (replace), not a PATCH. */
  replace?: boolean;
  normalize?: (value: unknown) => unknown;
}

export const lower = (value: unknown): unknown => (typeof value === 'string' ? value.toLowerCase() : value);
export const sortedLower = (value: unknown): unknown =>
  Array.isArray(value) ? [...new Set(value.map((item) => (typeof item === 'string' ? item.toLowerCase() : item)))].sort() : value;
export const isoDate = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
};

/** Deterministic: compares canonical JSON of normalised values; unknown news count as changed. */
export function diffFields(olds: Props, news: Props, fields: readonly FieldSpec[], options: { deleteBeforeReplace?: boolean } = {}): pulumi.dynamic.DiffResult {
  const changed: string[] = [];
  const replaces: string[] = [];
  for (const field of fields) {
    const normalize = field.normalize ?? ((value: unknown) => value);
    const next = news[field.name];
    if (isUnknown(next) || canonical(normalize(olds[field.name])) !== canonical(normalize(next))) {
      changed.push(field.name);
      if (field.replace) replaces.push(field.name);
    }
  }
  if (changed.length === 0) return { changes: false };
  return { changes: true, replaces, deleteBeforeReplace: replaces.length > 0 && options.deleteBeforeReplace === true };
}

/** JSON with sorted keys and `undefined` as `null`, so equal values compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, item: unknown) => {
    if (item === undefined) return null;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    return Object.fromEntries(Object.keys(item).sort().map((key) => [key, (item as Props)[key] ?? null]));
  });
}

export const isNotFound = (error: unknown): boolean => error instanceof GraphError && error.status === 404;

/** What `read` answers for an object that no longer exists: an empty id drops it from the state. */
export const GONE: pulumi.dynamic.ReadResult = { id: '', props: {} };

/** The tenant and Graph URL from stored outputs (our own create/update wrote them). */
export function targetOf(props: Props): GraphTarget {
  return { tenantId: String(props.tenantId ?? ''), graphBaseUrl: String(props.graphBaseUrl ?? '') };
}

/** `#microsoft.graph.x` and `microsoft.graph.x` name the same OData type. */
export const sameODataType = (actual: unknown, expected: string): boolean =>
  typeof actual === 'string' && actual.replace(/^#/, '').toLowerCase() === expected.replace(/^#/, '').toLowerCase();

/** `'` doubled, as OData string literals require. */
export const odataString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
