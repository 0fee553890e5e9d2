/**
 * Where users are provisioned: the tenant domain (identity issuer and UPN suffix) and the migration flag.
 * Both come from the operator, so each check returns a message that says what to fix.
 */
import { B2C_MIGRATION_FLAG } from '../../../lib/b2c/contract';
import type { IdentityPlatform } from '../identityPlatform';
import { EXTENSION_ATTRIBUTE } from '../../../lib/ids/extensionAttribute';

/** `extension_{b2c-extensions-app appId without hyphens}_{name}` (docs/entra-contracts.md#migration-flag, [JIT-DOC] 1.1.1). */
const EXAMPLE_PROPERTY = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';
const FIND_APP_ID = "find the appId with GET /applications?$filter=startswith(displayName,'b2c-extensions-app')";

export interface ProvisioningTarget {
  /** The tenant's domain, like contoso.onmicrosoft.com: the issuer of local-account identities and the UPN suffix. */
  readonly domain: string;
  /** The Boolean extension attribute the JIT listener reads (`migrationPropertyId`). */
  readonly migrationProperty: string;
  /** The tenant's kind (`--platform`); absent = External ID. It picks the user shape (userShape.ts). */
  readonly platform?: IdentityPlatform;
  /** `--b2c-object-id-property`: the extension property that keeps a B2C user's object id (the `b2c` preset). */
  readonly b2cObjectIdProperty?: string;
  /** `--mfa-methods`: the B2C user's authentication methods to register after the create (methodPlan.ts). */
  readonly mfaMethods?: readonly MfaMethod[];
}

/** Authentication methods carried from B2C: the mobile phone (phoneMethods) and the sign-in email (emailMethods). */
export type MfaMethod = 'phone' | 'email';
export const MFA_METHODS: readonly MfaMethod[] = ['phone', 'email'];

export type Checked = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string };

/** `option` names the flag in the message: --migration-property, or --b2c-object-id-property (same rules). */
export function checkMigrationProperty(raw: string, option = '--migration-property', example = EXAMPLE_PROPERTY): Checked {
  const value = raw.trim();
  if (EXTENSION_ATTRIBUTE.test(value)) return { ok: true, value };
  const what = `${option} must be the full extension attribute name extension_<b2c-extensions-app appId without hyphens>_<name>, like ${example}; got "${value}"`;
  const hyphenated = /^extension_([0-9a-f-]{36})_/i.exec(value);
  if (hyphenated && hyphenated[1]?.replace(/-/g, '').length === 32) return { ok: false, problem: `${what}: remove the hyphens from the appId` };
  if (!value.startsWith('extension_')) return { ok: false, problem: `${what}: put extension_<appId>_ in front of the attribute name (${FIND_APP_ID})` };
  return { ok: false, problem: `${what}: the middle part must be the 32 hex digits of the b2c-extensions-app appId (${FIND_APP_ID})` };
}

/**
 * B2C: the generated policies read the flag as `extension_requiresMigration` (lib/b2c/contract.ts), so any other
 * name would provision users the policy never migrates.
 */
export function checkB2cMigrationProperty(property: string): Checked {
  if (property.endsWith(`_${B2C_MIGRATION_FLAG}`)) return { ok: true, value: property };
  const appId = /^extension_([0-9a-f]{32})_/i.exec(property)?.[1] ?? '<appId>';
  return { ok: false, problem: `--platform b2c: the migration policies read the flag extension_<b2c-extensions-app appId>_${B2C_MIGRATION_FLAG}; pass --migration-property extension_${appId}_${B2C_MIGRATION_FLAG}, got "${property}"` };
}

/** A DNS name with at least one dot; External ID's local-account issuer is the tenant's initial domain. */
export function checkDomain(raw: string): Checked {
  const value = raw.trim().toLowerCase();
  if (/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(value)) return { ok: true, value };
  return { ok: false, problem: `--domain must be the tenant's domain, like contoso.onmicrosoft.com (no scheme, no @, no path); got "${raw}"` };
}
