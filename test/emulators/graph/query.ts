/**
 * Collection queries: `$filter` checks per resource, `$select`, and `$top`/`$skiptoken` paging with a nextLink
 * that keeps every other option (learn.microsoft.com/graph/paging). `ne`, `not` and `endswith` are advanced
 * queries that need `ConsistencyLevel: eventual` plus `$count=true` (learn.microsoft.com/graph/aad-advanced-queries).
 */
import { matches, parseFilter, property, referencedPaths, usesAdvancedOperators, type FilterExpression } from './filter';
import { badRequest, type EmulatedRequest, type Json } from './protocol';

export function isAdvancedQuery(request: EmulatedRequest): boolean {
  return request.headers['consistencylevel']?.toLowerCase() === 'eventual';
}

export interface CollectionQueryRules {
  resource: string;
  /** Top-level properties `$filter` may name (lower-cased); extension attributes are checked by `isFilterable`. */
  isFilterable: (name: string) => boolean;
  maxTop: number;
  /** Extra checks (e.g. identities filters need issuer and issuerAssignedId). */
  checkFilter?: (expression: FilterExpression) => void;
  /** Resource-specific semantics, applied after the checks. */
  rewrite?: (expression: FilterExpression) => FilterExpression;
}

/** Parses and checks `$filter` against the resource's rules; returns a predicate. */
export function filterFor(request: EmulatedRequest, rules: CollectionQueryRules): (item: Json) => boolean {
  const filter = request.query.get('$filter');
  if (filter === null) return () => true;
  const expression = parseFilter(filter);
  for (const path of referencedPaths(expression)) {
    const name = path[0] as string;
    if (!rules.isFilterable(name)) {
      throw badRequest(`Unsupported or invalid query filter clause specified for property '${name}' of resource '${rules.resource}'.`, 'Request_UnsupportedQuery');
    }
  }
  if (usesAdvancedOperators(expression) && !(isAdvancedQuery(request) && request.query.get('$count') === 'true')) {
    throw badRequest(`Unsupported or invalid query filter clause specified for property of resource '${rules.resource}': this operator needs ConsistencyLevel: eventual and $count=true.`, 'Request_UnsupportedQuery');
  }
  rules.checkFilter?.(expression);
  const effective = rules.rewrite?.(expression) ?? expression;
  return (item) => matches(effective, item);
}

export function rejectUnsupportedOptions(request: EmulatedRequest, supported: readonly string[]): void {
  for (const name of request.query.keys()) {
    if (name.startsWith('$') && !supported.includes(name)) {
      throw badRequest(`The query parameter '${name}' is not supported by this emulator for ${request.segments.join('/')}.`, 'Request_UnsupportedQuery');
    }
  }
}

/** `$select` as a list, or undefined. Unknown names are refused as Graph does. */
export function selectedProperties(request: EmulatedRequest, isSelectable: (name: string) => boolean, resource: string): string[] | undefined {
  const raw = request.query.get('$select');
  if (raw === null) return undefined;
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!isSelectable(name)) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.${resource}'.`, 'BadRequest');
  }
  return names;
}

export function project(item: Json, selected: string[] | undefined, defaults: readonly string[] | undefined): Json {
  const names = selected ?? defaults;
  if (names === undefined) return { ...item };
  const projected: Json = {};
  for (const name of names) {
    const value = property(item, name);
    projected[name] = value === undefined ? null : value;
  }
  if (selected === undefined && 'id' in item) projected.id = item.id;
  return projected;
}

/** `$top` (1..maxTop, default 100) and an opaque `$skiptoken`; the nextLink keeps every other option. */
export function page(request: EmulatedRequest, items: Json[], maxTop: number): { value: Json[]; nextLink?: string } {
  const topText = request.query.get('$top');
  const top = topText === null ? Math.min(100, maxTop) : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > maxTop) {
    throw badRequest(`Invalid page size specified: '${topText}'. Must be between 1 and ${maxTop} inclusive.`, 'Request_UnsupportedQuery');
  }
  const token = request.query.get('$skiptoken');
  let offset = 0;
  if (token !== null) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded) throw badRequest('The $skiptoken is invalid or expired.', 'Request_BadRequest');
    offset = Number(decoded[1]);
  }
  const value = items.slice(offset, offset + top);
  if (offset + top >= items.length) return { value };
  const next = new URLSearchParams(request.query);
  next.delete('$skiptoken');
  next.set('$skiptoken', Buffer.from(`offset:${offset + top}`).toString('base64url'));
  const query = [...next.entries()].map(([name, v]) => `${encodeURIComponent(name).replace(/^%24/, '$')}=${encodeURIComponent(v)}`).join('&');
  return { value, nextLink: `${request.serviceRoot}${request.rawPath}?${query}` };
}
