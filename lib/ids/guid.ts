/**
 * The one GUID check: Entra and Graph ids (tenants, applications, objects, app roles) in their 8-4-4-4-12 hex
 * form, in either case, as Entra accepts them.
 */
export const GUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The whole value is one GUID. */
export const GUID = new RegExp(`^${GUID_SOURCE}$`, 'i');

export function isGuid(value: string): boolean {
  return GUID.test(value);
}
