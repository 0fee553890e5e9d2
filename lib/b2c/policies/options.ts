/**
 * What the policy generator needs, checked in one place: every problem is reported at once, each naming the
 * option and the fix, and nothing is generated from a bad value. The resolved options are normalized
 * (lower-case tenant and GUIDs, the API's origin alone) so equal inputs give byte-identical files.
 */
import { B2C_AUTH_TYPES, DEFAULT_B2C_API_AUTH, type B2cApiAuth } from '../contract';
import { isXmlText } from './xml';
import { GUID } from '../../ids/guid';

/** The texts B2C shows when the call to the function fails (RESTful technical profile metadata, [REST-TP]). */
export interface B2cUserMessages {
  /** `DefaultUserMessageIfRequestFailed`: the function answered an error B2C cannot show, or none. */
  readonly requestFailed?: string;
  /** `UserMessageIfCircuitOpen`: B2C stopped calling the function after repeated failures. */
  readonly circuitOpen?: string;
  /** `UserMessageIfDnsResolutionFailed`: the function's host name did not resolve. */
  readonly dnsResolutionFailed?: string;
  /** `UserMessageIfRequestTimeout`: no answer within B2C's timeout. */
  readonly requestTimeout?: string;
}

export interface B2cPolicyOptions {
  /** The B2C tenant's initial domain, e.g. `contoso.onmicrosoft.com`. */
  readonly tenant: string;
  /** The function app's origin, e.g. `https://func-jit.azurewebsites.net` (https, no path): `/api/b2c/...` is appended. */
  readonly apiUrl: string;
  /** How B2C authenticates to the function (default `basic`, DEFAULT_B2C_API_AUTH). */
  readonly auth?: B2cApiAuth;
  /** Application (client) ID of the tenant's b2c-extensions-app (holds the migration flag). */
  readonly extensionsAppClientId: string;
  /** Object ID of the b2c-extensions-app's application object. */
  readonly extensionsAppObjectId: string;
  /** The policy the migration layer extends (default `B2C_1A_TrustFrameworkExtensions`). */
  readonly basePolicy?: string;
  /** Prefix of the generated policy ids (default `B2C_1A_JIT`). */
  readonly policyPrefix?: string;
  /** apiKey only: the header that carries the key (default `x-api-key`). */
  readonly apiKeyHeader?: string;
  /** bearer only: the function's API app registration; the token scope is `api://<apiAppId>/.default`. */
  readonly apiAppId?: string;
  /** bearer only: the token scope, instead of apiAppId (the API's application ID URI + `/.default`). */
  readonly apiScope?: string;
  readonly userMessages?: B2cUserMessages;
}

export interface B2cPolicyIds {
  readonly migration: string;
  readonly signUpOrSignIn: string;
  readonly passwordReset: string;
}

export interface ResolvedB2cPolicyOptions {
  readonly tenant: string;
  /** `https://host[:port]`, no trailing slash. */
  readonly apiOrigin: string;
  readonly auth: B2cApiAuth;
  readonly extensionsAppClientId: string;
  readonly extensionsAppObjectId: string;
  readonly basePolicy: string;
  /** Names the generated policies and the policy keys they read, so stacks with their own prefix share neither. */
  readonly policyPrefix: string;
  readonly policyIds: B2cPolicyIds;
  /** Set for apiKey only. */
  readonly apiKeyHeader: string | undefined;
  /** Set for bearer only. */
  readonly apiScope: string | undefined;
  readonly userMessages: Required<B2cUserMessages>;
}

export const B2C_API_AUTHS = Object.keys(B2C_AUTH_TYPES) as B2cApiAuth[];
export const DEFAULT_B2C_BASE_POLICY = 'B2C_1A_TrustFrameworkExtensions';
export const DEFAULT_B2C_POLICY_PREFIX = 'B2C_1A_JIT';
export const DEFAULT_B2C_API_KEY_HEADER = 'x-api-key';
export const DEFAULT_B2C_USER_MESSAGES: Required<B2cUserMessages> = {
  requestFailed: 'We could not check your account right now. Please try again in a few minutes.',
  circuitOpen: 'Sign-in is busy right now. Please try again in a few minutes.',
  dnsResolutionFailed: 'We could not reach the account service. Please try again later.',
  requestTimeout: 'Checking your account took too long. Please try again.',
};
/** Longest user message accepted: B2C shows it inline above the form. */
export const MAX_B2C_USER_MESSAGE_LENGTH = 500;

export type B2cPolicyOption = keyof B2cPolicyOptions | `userMessages.${keyof B2cUserMessages}`;

export interface B2cPolicyOptionProblem {
  readonly option: B2cPolicyOption;
  /** What is wrong and the fix, to follow the option's name; other options appear as `{name}`. */
  readonly problem: string;
}

/**
 * Bad options, every problem at once. `message` names options as a program does (`apiUrl`);
 * `describe(nameOf)` names them another way, e.g. as CLI flags (`--api-url`).
 */
export class B2cPolicyOptionsError extends Error {
  constructor(readonly problems: readonly B2cPolicyOptionProblem[]) {
    super('');
    this.name = 'B2cPolicyOptionsError';
    this.message = this.describe((option) => option);
  }

  describe(nameOf: (option: B2cPolicyOption) => string): string {
    return this.problems.map(({ option, problem }) => `${nameOf(option)} ${problem.replace(/\{([A-Za-z]+)\}/g, (marker, name: string) => (KNOWN_OPTIONS.has(name) ? nameOf(name as B2cPolicyOption) : marker))}`).join('\n');
  }
}

/** A tenant's initial domain: one DNS label of letters and digits under onmicrosoft.com. */
const TENANT = /^[a-z0-9]{1,63}\.onmicrosoft\.com$/i;
/** Also the infra's check of b2cTenantDomain with legacyStore=b2c (infra/config.ts): one rule for both. */
export { TENANT as B2C_TENANT_DOMAIN };
const POLICY_ID = /^B2C_1A_[A-Za-z0-9_]+$/;
/** RFC 9110 token: the characters a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers B2C or HTTP itself sets; a key there would be overwritten or break the request. */
const RESERVED_HEADERS = new Set(['authorization', 'content-type', 'content-length', 'host', 'transfer-encoding', 'connection', 'cookie']);
/** The client-credentials grant only takes `<resource>/.default`. */
const API_SCOPE = /^(?:api|https):\/\/[^\s/][^\s]*\/\.default$/;
const KNOWN_OPTIONS = new Set<string>(['tenant', 'apiUrl', 'auth', 'extensionsAppClientId', 'extensionsAppObjectId', 'basePolicy', 'policyPrefix', 'apiKeyHeader', 'apiAppId', 'apiScope', 'userMessages']);
const MESSAGE_OPTIONS = Object.keys(DEFAULT_B2C_USER_MESSAGES) as (keyof B2cUserMessages)[];

/** Checks and normalizes the options; throws B2cPolicyOptionsError listing every problem. */
export function resolveB2cPolicyOptions(options: B2cPolicyOptions): ResolvedB2cPolicyOptions {
  const problems: B2cPolicyOptionProblem[] = [];
  const refuse = (option: B2cPolicyOption, problem: string): undefined => {
    problems.push({ option, problem });
    return undefined;
  };
  const given = (options ?? {}) as unknown as Record<string, unknown>;
  for (const key of Object.keys(given).sort()) {
    if (!KNOWN_OPTIONS.has(key) && given[key] !== undefined) refuse(key as B2cPolicyOption, `is not an option: the options are ${[...KNOWN_OPTIONS].map((name) => `{${name}}`).join(', ')}`);
  }
  /** A string option, or a problem when present but not a string. */
  const text = (option: keyof B2cPolicyOptions, required: boolean): string | undefined => {
    const value = given[option];
    if (value === undefined) return required ? refuse(option, 'is required') : undefined;
    if (typeof value !== 'string') return refuse(option, 'must be a string');
    return value;
  };

  const tenantText = text('tenant', true);
  const tenant = tenantText === undefined ? undefined : TENANT.test(tenantText) ? tenantText.toLowerCase() : refuse('tenant', `must be the B2C tenant's initial domain, e.g. contoso.onmicrosoft.com (got "${shown(tenantText)}")`);

  const apiUrlText = text('apiUrl', true);
  const apiOrigin = apiUrlText === undefined ? undefined : resolveApiOrigin(apiUrlText, (problem) => refuse('apiUrl', problem));

  const authValue = given.auth ?? DEFAULT_B2C_API_AUTH;
  const auth = B2C_API_AUTHS.includes(authValue as B2cApiAuth) ? (authValue as B2cApiAuth) : refuse('auth', `must be one of ${B2C_API_AUTHS.join(', ')}`);

  const guid = (option: 'extensionsAppClientId' | 'extensionsAppObjectId' | 'apiAppId', what: string, required: boolean): string | undefined => {
    const value = text(option, required);
    if (value === undefined) return undefined;
    return GUID.test(value) ? value.toLowerCase() : refuse(option, `must be a GUID: ${what}`);
  };
  const extensionsAppClientId = guid('extensionsAppClientId', "the b2c-extensions-app's Application (client) ID (App registrations, All applications)", true);
  const extensionsAppObjectId = guid('extensionsAppObjectId', "the b2c-extensions-app's Object ID (the application object, not the enterprise app)", true);

  const policyId = (option: 'basePolicy' | 'policyPrefix', fallback: string): string | undefined => {
    const value = text(option, false) ?? fallback;
    return POLICY_ID.test(value) ? value : refuse(option, `must start with B2C_1A_ and go on with letters, digits or underscores (got "${shown(value)}")`);
  };
  const basePolicy = policyId('basePolicy', DEFAULT_B2C_BASE_POLICY);
  const prefix = policyId('policyPrefix', DEFAULT_B2C_POLICY_PREFIX);
  const policyIds = prefix === undefined ? undefined : { migration: `${prefix}_Migration`, signUpOrSignIn: `${prefix}_SignUpOrSignIn`, passwordReset: `${prefix}_PasswordReset` };
  if (policyIds && basePolicy && Object.values(policyIds).includes(basePolicy)) refuse('policyPrefix', `would name a generated policy ${basePolicy}, the same as {basePolicy}: choose another prefix`);

  const headerText = text('apiKeyHeader', false);
  let apiKeyHeader: string | undefined;
  if (auth === 'apiKey') {
    const header = headerText ?? DEFAULT_B2C_API_KEY_HEADER;
    if (!HEADER_NAME.test(header)) refuse('apiKeyHeader', "must be an HTTP header name: letters, digits and !#$%&'*+.^_`|~-");
    else if (RESERVED_HEADERS.has(header.toLowerCase())) refuse('apiKeyHeader', `cannot be ${header}: HTTP or B2C sets that header; use e.g. ${DEFAULT_B2C_API_KEY_HEADER}`);
    else apiKeyHeader = header;
  } else if (headerText !== undefined && auth !== undefined) {
    refuse('apiKeyHeader', `only applies with {auth} apiKey ({auth} is ${auth}): leave it out`);
  }

  const apiAppId = guid('apiAppId', "the function's API app registration's Application (client) ID", false);
  const apiScopeText = text('apiScope', false);
  let apiScope: string | undefined;
  if (auth === 'bearer') {
    if (given.apiAppId !== undefined && apiScopeText !== undefined) refuse('apiScope', 'and {apiAppId} are alternatives: give one of them');
    else if (apiScopeText !== undefined) apiScope = API_SCOPE.test(apiScopeText) ? apiScopeText : refuse('apiScope', 'must be the API\'s application ID URI followed by /.default, e.g. api://<api app id>/.default (the client-credentials grant only takes .default)');
    else if (apiAppId !== undefined) apiScope = `api://${apiAppId}/.default`;
    else if (given.apiAppId === undefined) refuse('apiAppId', 'or {apiScope} is required with {auth} bearer: B2C asks Entra for a token to that API (the function\'s API app registration)');
  } else if (auth !== undefined) {
    for (const option of ['apiAppId', 'apiScope'] as const) if (given[option] !== undefined) refuse(option, `only applies with {auth} bearer ({auth} is ${auth}): leave it out`);
  }

  const userMessages = resolveUserMessages(given.userMessages, refuse);

  if (problems.length > 0) throw new B2cPolicyOptionsError(problems);
  return {
    tenant: tenant!,
    apiOrigin: apiOrigin!,
    auth: auth!,
    extensionsAppClientId: extensionsAppClientId!,
    extensionsAppObjectId: extensionsAppObjectId!,
    basePolicy: basePolicy!,
    policyPrefix: prefix!,
    policyIds: policyIds!,
    apiKeyHeader,
    apiScope,
    userMessages: userMessages!,
  };
}

function resolveApiOrigin(value: string, refuse: (problem: string) => undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('must be an absolute URL, e.g. https://func-jit.azurewebsites.net');
  }
  if (url.protocol !== 'https:') return refuse(`must use https (got ${url.protocol.replace(/:$/, '')}): B2C only calls REST APIs over TLS`);
  if (url.username !== '' || url.password !== '') return refuse('must not hold a user name or password: B2C authenticates with the policy keys');
  // `value` is checked, not url.pathname: the URL parser turns "https://h" into "https://h/".
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(value) || /^https:\/\/[^/]*\/./i.test(value)) {
    return refuse(`must be the function app's origin alone, e.g. https://${url.host}, without a path, query or fragment: the generator appends /api/b2c/...`);
  }
  return url.origin;
}

function resolveUserMessages(value: unknown, refuse: (option: B2cPolicyOption, problem: string) => undefined): Required<B2cUserMessages> | undefined {
  if (value === undefined) return DEFAULT_B2C_USER_MESSAGES;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('userMessages', `must be an object with any of ${MESSAGE_OPTIONS.join(', ')}`);
  const given = value as Record<string, unknown>;
  let ok = true;
  for (const key of Object.keys(given).sort()) {
    if (!(MESSAGE_OPTIONS as string[]).includes(key) && given[key] !== undefined) {
      ok = false;
      refuse('userMessages', `has no message ${key}: the messages are ${MESSAGE_OPTIONS.join(', ')}`);
    }
  }
  const messages = { ...DEFAULT_B2C_USER_MESSAGES };
  for (const key of MESSAGE_OPTIONS) {
    const message = given[key];
    if (message === undefined) continue;
    if (typeof message !== 'string' || message.trim() === '' || message.length > MAX_B2C_USER_MESSAGE_LENGTH || /[\r\n]/.test(message) || !isXmlText(message)) {
      ok = false;
      refuse(`userMessages.${key}`, `must be text of 1 to ${MAX_B2C_USER_MESSAGE_LENGTH} characters on one line, without control characters`);
    } else {
      messages[key] = message.trim();
    }
  }
  return ok ? messages : undefined;
}

/** A bad value quoted in an error: short, one line. */
function shown(value: string): string {
  const line = value.replace(/[\u0000-\u001F\u007F]/g, '?');
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
