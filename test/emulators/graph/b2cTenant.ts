/**
 * What an Azure AD B2C tenant refuses that an External ID tenant answers (`GraphEmulatorOptions.platform: 'b2c'`):
 * the advanced queries. learn.microsoft.com/graph/aad-advanced-queries: "these advanced query capabilities
 * are not available in Azure AD B2C tenants"; azure-ad-b2c-jit.md section 7: no `$count`/`$search` in B2C.
 *
 * The answers, as B2C tenants give them (reported in microsoftgraph/microsoft-graph-docs issues #9477 and
 * #10493, not in the reference docs):
 * - `GET /users/$count` without the header: 400 Request_BadRequest "$count is not currently supported.";
 * - any request with `ConsistencyLevel: eventual`: 400 Request_BadRequest "This request is not supported by
 *   the service".
 * Assumptions (undocumented): `$search`, and `$count=true` as a query option, are refused the same way (400
 * Request_BadRequest) even without the header, so a client that relies on either fails here, not in production.
 */
import { badRequest, type EmulatedRequest } from './protocol';

const NOT_SUPPORTED = 'This request is not supported by the service';

export function refuseAdvancedQueriesOfB2c(request: EmulatedRequest, segments: readonly string[]): void {
  if (request.headers['consistencylevel'] !== undefined) throw badRequest(NOT_SUPPORTED);
  if (segments.some((segment) => segment.toLowerCase() === '$count')) throw badRequest('$count is not currently supported.');
  for (const name of request.query.keys()) {
    const option = name.toLowerCase();
    if (option === '$search') throw badRequest(`${NOT_SUPPORTED} (emulated B2C: $search is not available in B2C tenants)`);
    if (option === '$count') throw badRequest(`${NOT_SUPPORTED} (emulated B2C: $count is not available in B2C tenants)`);
  }
}
