/**
 * Where users are provisioned: the tenant domain (identity issuer and UPN suffix) and the migration flag.
 * Both come from the operator, so each check returns a message that says what to fix.
 */

/** `extension_{b2c-extensions-app appId without hyphens}_{name}` (docs/entra-contracts.md#migration-flag, [JIT-DOC] 1.1.1). */
const MIGRATION_PROPERTY = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,120}$/i;
const EXAMPLE_PROPERTY = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';
const FIND_APP_ID = "find the appId with GET /applications?$filter=startswith(displayName,'b2c-extensions-app')";

export interface ProvisioningTarget {
  /** The tenant's domain, like contoso.onmicrosoft.com: the issuer of local-account identities and the UPN suffix. */
  readonly domain: string;
  /** The Boolean extension attribute the JIT listener reads (`migrationPropertyId`). */
  readonly migrationProperty: string;
}

export type Checked = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string };

export function checkMigrationProperty(raw: string): Checked {
  const value = raw.trim();
  if (MIGRATION_PROPERTY.test(value)) return { ok: true, value };
  const what = `--migration-property must be the full extension attribute name extension_<b2c-extensions-app appId without hyphens>_<name>, like ${EXAMPLE_PROPERTY}; got "${value}"`;
  const hyphenated = /^extension_([0-9a-f-]{36})_/i.exec(value);
  if (hyphenated && hyphenated[1]?.replace(/-/g, '').length === 32) return { ok: false, problem: `${what}: remove the hyphens from the appId` };
  if (!value.startsWith('extension_')) return { ok: false, problem: `${what}: put extension_<appId>_ in front of the attribute name (${FIND_APP_ID})` };
  return { ok: false, problem: `${what}: the middle part must be the 32 hex digits of the b2c-extensions-app appId (${FIND_APP_ID})` };
}

/** A DNS name with at least one dot; External ID's local-account issuer is the tenant's initial domain. */
export function checkDomain(raw: string): Checked {
  const value = raw.trim().toLowerCase();
  if (/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(value)) return { ok: true, value };
  return { ok: false, problem: `--domain must be the tenant's domain, like contoso.onmicrosoft.com (no scheme, no @, no path); got "${raw}"` };
}
