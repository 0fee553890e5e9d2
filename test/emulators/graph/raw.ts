/**
 * Plain HTTP calls to the emulator, without the project's client, so the emulator's own tests check Graph's
 * wire format directly. No jest imports.
 */
export interface RawResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RawOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Default 'test-token'; null sends no Authorization header. */
  token?: string | null;
  version?: 'v1.0' | 'beta';
  /** Send `body` as this exact text. */
  rawBody?: string;
}

export function rawGraph(baseUrl: string, defaults: { token?: string } = {}) {
  return async function call<T = any>(method: string, path: string, options: RawOptions = {}): Promise<RawResponse<T>> {
    const token = options.token === undefined ? (defaults.token ?? 'test-token') : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}/${options.version ?? 'v1.0'}${path}`, { method, headers, body });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, headers: response.headers, body: (text === '' ? undefined : isJson ? JSON.parse(text) : text) as T };
  };
}

/** A body Graph accepts for a local-account user. */
export function localUser(email: string, extra: Record<string, unknown> = {}, issuer = 'emulated.onmicrosoft.com'): Record<string, unknown> {
  return {
    displayName: email.split('@')[0],
    accountEnabled: true,
    identities: [{ signInType: 'emailAddress', issuer, issuerAssignedId: email }],
    passwordProfile: { password: 'Xy7!long-random-Passw0rd', forceChangePasswordNextSignIn: false },
    passwordPolicies: 'DisablePasswordExpiration',
    ...extra,
  };
}
