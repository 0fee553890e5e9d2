/**
 * Integration harness: a fake Entra, a real key pair, and the real endpoint, wired exactly as in Azure.
 * "Instances" share only what Azure instances share (the state store), never process memory.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import type { Env } from '../../src/config/settings';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../../src/crypto/certificate';
import type { LogSink } from '../../src/telemetry/telemetry';
import { FakeEntra } from './fakeEntra';

export const TENANT_ID = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
export const EXTENSION_APP_ID = 'c0ffee00-1234-4abc-9def-0123456789ab';

/** Collects every log line, for assertions and for the no-password-in-logs test. */
export class CapturingSink implements LogSink {
  readonly lines: string[] = [];
  write(_level: string, line: string): void {
    this.lines.push(line);
  }
  events(name: string): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);
  }
}

export interface Harness {
  readonly entra: FakeEntra;
  readonly certificate: EncryptionCertificate;
  readonly baseEnv: Env;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [entra, certificate] = await Promise.all([
    FakeEntra.start({ tenantId: TENANT_ID, extensionAppId: EXTENSION_APP_ID }),
    generateEncryptionCertificate(),
  ]);
  return {
    entra,
    certificate,
    baseEnv: {
      DecryptionPrivateKey: `${certificate.privateKeyPem}\n${certificate.certificatePem}`,
      ExternalIdTenantId: TENANT_ID,
      ExtensionAppId: EXTENSION_APP_ID,
      OpenIdMetadataUrl: entra.metadataUrl,
      // The Entra password check has its own tests (passwordChangedInEntra.test.ts) against the Graph emulator.
      PasswordChangeCheck: 'off',
    },
    stop: () => entra.stop(),
  };
}

export interface SignInOptions {
  readonly nonce?: string;
  readonly token?: string;
  readonly body?: string;
  readonly contentType?: string;
  /** `authenticationContext.user` as Entra sends it (its `id` is the Entra object id). */
  readonly user?: Record<string, unknown>;
}

/** Builds a request as Entra would send it: bearer token from the fake tenant, JWE as Entra encrypts it. */
export async function passwordSubmitRequest(h: Harness, username: string, password: string, options: SignInOptions = {}): Promise<{ request: HttpRequest; nonce: string; body: string }> {
  const nonce = options.nonce ?? randomUUID();
  const token = options.token ?? (await h.entra.mintAccessToken());
  const body = options.body ?? JSON.stringify(
      h.entra.passwordSubmitBody(await h.entra.encryptPasswordContext({ username, password, nonce }, h.certificate.certificatePem), { user: options.user }),
    );
  const request = new HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/onPasswordSubmit',
    headers: { authorization: `Bearer ${token}`, 'content-type': options.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    body: { string: body },
  });
  return { request, nonce, body };
}

export function actionOf(response: HttpResponseInit): string | undefined {
  const body = response.jsonBody as { data?: { actions?: { '@odata.type'?: string }[] } } | undefined;
  return body?.data?.actions?.[0]?.['@odata.type']?.replace('microsoft.graph.passwordSubmit.', '');
}

export async function signIn(endpoint: PasswordSubmitEndpoint, sink: LogSink, h: Harness, username: string, password: string, options: SignInOptions = {}) {
  const { request, nonce } = await passwordSubmitRequest(h, username, password, options);
  const response = await endpoint.handle(request, sink);
  return { response, nonce, action: actionOf(response) };
}
