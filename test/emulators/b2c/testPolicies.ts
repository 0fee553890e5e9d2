/** The generated policies, policy keys and fake function API for one auth type, as the stand-in's tests use them. */
import { randomBytes } from 'node:crypto';
import { B2C_MIGRATION_FLAG, type B2cApiAuth } from '../../../lib/b2c/contract';
import { generateB2cPolicies, type B2cPolicyFile } from '../../../lib/b2c/policies';
import { startTenant } from '../../../scripts/src/provisioning/testing/fixtures';
import { FakeFunctionApi, type LegacyUser } from './fakeFunctionApi';
import { B2cStandIn, GraphEmulatorB2cDirectory, InMemoryB2cDirectory, loopbackServiceUrl, type B2cDirectory, type TokenRequest } from './index';

export const TENANT = 'contoso.onmicrosoft.com';
export const API_URL = 'https://func-jit.azurewebsites.net';
export const EXTENSIONS_APP_ID = '3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f';
export const EXTENSIONS_APP_OBJECT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const API_APP_ID = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
export const API_KEY_HEADER = 'x-jit-key';

export function generatedFiles(auth: B2cApiAuth): readonly B2cPolicyFile[] {
  return generateB2cPolicies({
    tenant: TENANT,
    apiUrl: API_URL,
    auth,
    extensionsAppClientId: EXTENSIONS_APP_ID,
    extensionsAppObjectId: EXTENSIONS_APP_OBJECT_ID,
    ...(auth === 'bearer' ? { apiAppId: API_APP_ID } : {}),
    ...(auth === 'apiKey' ? { apiKeyHeader: API_KEY_HEADER } : {}),
  }).files;
}

/** The stand-in's two directory adapters (directory.ts). */
export const DIRECTORY_KINDS = ['in-memory', 'Graph emulator'] as const;
export type DirectoryKind = (typeof DIRECTORY_KINDS)[number];

/** An empty directory of `kind`; the Graph emulator's is a B2C tenant with the flag registered as provision-users needs it. */
export async function startDirectory(kind: DirectoryKind): Promise<{ readonly directory: B2cDirectory; stop(): Promise<void> }> {
  if (kind === 'in-memory') return { directory: new InMemoryB2cDirectory(TENANT), stop: async () => undefined };
  const { emulator } = await startTenant({ platform: 'b2c', tenantDomain: TENANT, b2cExtensionsAppId: EXTENSIONS_APP_ID }, B2C_MIGRATION_FLAG);
  return { directory: new GraphEmulatorB2cDirectory(emulator), stop: () => emulator.stop() };
}

export interface Harness {
  readonly api: FakeFunctionApi;
  readonly standIn: B2cStandIn;
  readonly tokenRequests: TokenRequest[];
}

/** Starts the fake API for `auth` and a stand-in on `xmls` (default: the generated files) pointed at it, on `directory` (default in-memory). */
export async function startHarness(
  auth: B2cApiAuth,
  legacy: Map<string, LegacyUser>,
  options: { xmls?: readonly string[]; requestTimeoutMs?: number; directory?: B2cDirectory } = {},
): Promise<Harness> {
  const secret = randomBytes(12).toString('base64url');
  const certificateDer = randomBytes(64).toString('base64');
  const policyKeys: Record<B2cApiAuth, Record<string, string>> = {
    bearer: { B2C_1A_JIT_ApiClientId: 'b2c-client', B2C_1A_JIT_ApiClientSecret: secret },
    basic: { B2C_1A_JIT_ApiUsername: 'jit-user', B2C_1A_JIT_ApiPassword: secret },
    apiKey: { B2C_1A_JIT_ApiKey: secret },
    clientCertificate: { B2C_1A_JIT_ApiClientCertificate: `-----BEGIN CERTIFICATE-----\n${certificateDer}\n-----END CERTIFICATE-----\n` },
  };
  const expected: Record<B2cApiAuth, string> = { bearer: `token-${secret}`, basic: `jit-user:${secret}`, apiKey: secret, clientCertificate: certificateDer };
  const api = new FakeFunctionApi(legacy, auth, expected[auth], API_KEY_HEADER);
  const origin = await api.start();
  const tokenRequests: TokenRequest[] = [];
  const standIn = new B2cStandIn({
    policies: options.xmls ?? generatedFiles(auth).map((file) => file.xml),
    policyKeys: policyKeys[auth],
    serviceUrlOverride: loopbackServiceUrl(origin),
    // Mints the token only for the right client credentials and scope: anything else gets a token the API refuses.
    tokenEndpoint: (request) => {
      tokenRequests.push(request);
      const right =
        request.url === `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token` &&
        request.clientId === 'b2c-client' &&
        request.clientSecret === secret &&
        request.form.grant_type === 'client_credentials' &&
        request.form.scope === `api://${API_APP_ID}/.default`;
      return right ? `token-${secret}` : 'not-the-token';
    },
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.directory === undefined ? {} : { directory: options.directory }),
  });
  return { api, standIn, tokenRequests };
}
