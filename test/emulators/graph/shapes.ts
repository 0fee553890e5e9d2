/** Small checks that turn a malformed body into Graph's 400, so client bugs fail tests. */
import { badRequest, type Json } from './protocol';
import { GUID } from '../../../lib/ids/guid';

export const isGuid = (value: unknown): value is string => typeof value === 'string' && GUID.test(value);
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Graph: "Property 'x' does not exist as a declared property or extension property." */
export function rejectUnknownProperties(body: Json, allowed: ReadonlySet<string>, isExtension: (name: string) => boolean = () => false): void {
  for (const name of Object.keys(body)) {
    if (name.startsWith('@odata.')) continue;
    if (!allowed.has(name) && !isExtension(name)) throw badRequest(`Property '${name}' does not exist as a declared property or extension property.`);
  }
}

export function requireValue(body: Json, name: string, resource: string): unknown {
  const value = body[name];
  if (value === undefined || value === null) throw badRequest(`A value is required for property '${name}' of resource '${resource}'.`);
  return value;
}

export function invalidValue(name: string, resource: string, why?: string): Error {
  return badRequest(`Invalid value specified for property '${name}' of resource '${resource}'.${why ? ` ${why}` : ''}`);
}

export function requireString(body: Json, name: string, resource: string, maxLength = 256): string {
  const value = requireValue(body, name, resource);
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) throw invalidValue(name, resource);
  return value;
}

export function optionalString(body: Json, name: string, resource: string, maxLength = 1024): string | null | undefined {
  const value = body[name];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value.length > maxLength) throw invalidValue(name, resource);
  return value;
}

export function requireBoolean(body: Json, name: string, resource: string): boolean {
  const value = requireValue(body, name, resource);
  if (typeof value !== 'boolean') throw invalidValue(name, resource);
  return value;
}

export function optionalBoolean(body: Json, name: string, resource: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidValue(name, resource);
  return value;
}

/** `#microsoft.graph.x` and `microsoft.graph.x` name the same type in OData JSON. */
export function odataType(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.startsWith('#') ? value : `#${value}`;
}

export function isHttpsUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

export function isUri(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

/** Entra's default complexity: 8–256 characters and 3 of lowercase, uppercase, digit, symbol. */
export function meetsPasswordComplexity(password: string): boolean {
  if (password.length < 8 || password.length > 256) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) => pattern.test(password)).length;
  return classes >= 3;
}
