import { LIMITS } from './limits';
import type { HashParams, HashScheme } from './types';
import { MalformedHashError } from './types';

export interface SchemeDefinition {
  readonly id: string;
  /** Format check only, called after the common guards below. */
  identify(hash: string, params?: HashParams): boolean;
  /** Called only for hashes `identify` accepted and passwords within LIMITS.maxPasswordBytes; `signal` goes to OffThread.derive. */
  verify(password: string, hash: string, params: HashParams | undefined, signal: AbortSignal | undefined): Promise<boolean>;
}

/**
 * Wraps a scheme with the rules every scheme shares:
 * - an explicit `params.algorithm` selects that scheme only, so a Firebase hash (plain base64
 *   plus params) can never also be taken for an ASP.NET Identity blob, and a record that names
 *   its algorithm is never verified by another one;
 * - absurdly long hashes are not looked at;
 * - verify re-checks the format (schemes can be called directly, not only via the registry)
 *   and refuses to hash passwords over LIMITS.maxPasswordBytes (iterated schemes hash the
 *   password once per round, so its length multiplies the cost).
 */
export function defineScheme(definition: SchemeDefinition): HashScheme {
  const { id } = definition;
  const identify = (hash: string, params?: HashParams): boolean =>
    typeof hash === 'string' &&
    hash.length > 0 &&
    hash.length <= LIMITS.maxHashLength &&
    !namesAnotherAlgorithm(params, id) &&
    definition.identify(hash, params);

  return {
    id,
    identify,
    async verify(password: string, hash: string, params?: HashParams, signal?: AbortSignal): Promise<boolean> {
      if (typeof password !== 'string') throw new TypeError('password must be a string');
      if (!identify(hash, params)) throw new MalformedHashError(id, `the stored hash is not in ${id} format`);
      if (Buffer.byteLength(password, 'utf8') > LIMITS.maxPasswordBytes) return false;
      return definition.verify(password, hash, params, signal);
    },
  };
}

function namesAnotherAlgorithm(params: HashParams | undefined, id: string): boolean {
  const algorithm = params?.['algorithm'];
  return typeof algorithm === 'string' && algorithm.toLowerCase() !== id;
}

/** Throws MalformedHashError unless `value` is an integer within [min, max]. */
export function requireIntegerInRange(scheme: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new MalformedHashError(scheme, `${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

/** Parses a decimal integer field without leading '+', spaces or exponent forms. */
export function parseDecimal(text: string | undefined): number {
  return text !== undefined && /^[0-9]{1,15}$/.test(text) ? Number(text) : Number.NaN;
}
