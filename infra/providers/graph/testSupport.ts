/**
 * Test harness for the Graph providers: the loopback Graph emulator and a client factory whose retries wait
 * a twentieth of the real back-off, so injected 429s, 503s and replication 404s stay fast. No jest imports.
 */
import { createHash } from 'node:crypto';
import { generateEncryptionCertificate } from '../../../function/src/crypto/certificate';
import { GraphClient, staticToken, type GraphClientOptions } from '../../../lib/graph';
import { GraphEmulator, type GraphEmulatorOptions } from '../../../test/emulators/graph';
import { rawGraph } from '../../../test/emulators/graph/raw';
import type { CertificateInput } from './applicationEncryptionKey';
import type { GraphClientFactory } from './graphClient';

export const TOKEN = 'graph-provider-test-token';
export const TENANT_ID = '0b9a1d4e-5c6f-4a7b-8c9d-0e1f2a3b4c5d';
/** The inputs carry the real Graph URL; the test factory sends everything to the emulator. */
export const GRAPH_BASE_URL = 'https://graph.microsoft.com';

export interface Harness {
  emulator: GraphEmulator;
  clientFor: GraphClientFactory;
  /** What `clientFor` builds its clients from, for tests that subclass the client. */
  clientOptions: GraphClientOptions;
  /** Every back-off the clients asked for (ms, before scaling). */
  waits: number[];
  raw: ReturnType<typeof rawGraph>;
  /**
   * From now on the provider's next write, and every write after a 429, is throttled once: one write per
   * window, the window spent, and a 429 "waited out" by opening a fresh window. Deterministic, unlike real time.
   */
  throttleWrites(): Promise<void>;
  target: { tenantId: string; graphBaseUrl: string };
  stop(): Promise<void>;
}

export async function startHarness(options: GraphEmulatorOptions = {}): Promise<Harness> {
  const emulator = await GraphEmulator.start({ token: TOKEN, ...options });
  const waits: number[] = [];
  const sleep = (ms: number) => {
    waits.push(ms);
    return new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms / 20, 60)));
  };
  const freshWindow = () => emulator.setThrottle({ writesPerWindow: 1, windowMs: 600_000 });
  let throttling = false;
  // More retries than the default 6: the injected fault density is far above anything Graph shows.
  const clientOptions: GraphClientOptions = {
    baseUrl: emulator.url,
    token: staticToken(TOKEN),
    sleep,
    maxRetries: 10,
    onThrottle: ({ status }) => {
      if (throttling && status === 429) freshWindow();
    },
  };
  const raw = rawGraph(emulator.url, { token: TOKEN });
  return {
    emulator,
    clientFor: () => new GraphClient(clientOptions),
    clientOptions,
    waits,
    raw,
    async throttleWrites() {
      throttling = true;
      freshWindow();
      await raw('POST', '/applications', { body: { displayName: 'spends the write window' } });
    },
    target: { tenantId: TENANT_ID, graphBaseUrl: GRAPH_BASE_URL },
    stop: () => emulator.stop(),
  };
}

/** A fresh self-signed RSA certificate in the shape the key provider takes (as Key Vault describes one). */
export async function testCertificate(): Promise<CertificateInput> {
  const certificate = await generateEncryptionCertificate({ validityDays: 30 });
  return {
    base64Der: certificate.certificateBase64Der,
    notBefore: certificate.notBefore.toISOString(),
    expiresOn: certificate.notAfter.toISOString(),
    thumbprintHex: createHash('sha1').update(Buffer.from(certificate.certificateBase64Der, 'base64')).digest('hex').toUpperCase(),
  };
}

/** Runs `check` and fails loudly on failures, as the engine would. */
export async function checked<T>(provider: { check?: (olds: T, news: T) => Promise<{ inputs?: T; failures?: readonly { property: string; reason: string }[] }> }, news: unknown): Promise<T> {
  const result = await provider.check?.({} as T, news as T);
  if (result?.failures?.length) throw new Error(`check failed: ${result.failures.map((failure) => failure.reason).join('; ')}`);
  return result?.inputs as T;
}
