/**
 * Composition: turns app settings into a ready handler, once per process. Keys are parsed, stores
 * connected and the hash worker pool created here, never per request.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { loadSettings, type Env, type SettingProblem, type Settings } from '../config/settings';
import { KeyRing } from '../crypto/keyRing';
import { GraphEntraDirectory } from '../entra/graphDirectory';
import type { EntraDirectory } from '../entra/port';
import { createHashRegistry, type HashRegistry } from '../hashing/registry';
import { FileUserRepository } from '../legacy/fileRepository';
import { HttpCredentialService } from '../legacy/httpCredentialService';
import { TableUserRepository } from '../legacy/tableRepository';
import { CallerAuthenticator } from '../pipeline/authenticate';
import { BackgroundTasks } from '../pipeline/deadline';
import { PasswordSubmitHandler } from '../pipeline/handler';
import { HashStoreChecker, WebServiceChecker, type CredentialChecker } from '../pipeline/verify';
import { MemoryStateStore } from '../state/memoryStateStore';
import type { StateStore } from '../state/port';
import { StateStoreError, TableStateStore } from '../state/tableStateStore';

export interface ReadyRuntime {
  readonly ready: true;
  readonly settings: Settings;
  readonly handler: PasswordSubmitHandler;
  readonly background: BackgroundTasks;
  readonly registry: HashRegistry;
  readonly summary: { readonly legacyStore: string; readonly stateStore: string; readonly decryptionKeys: number };
  /** For the health check: problems now, the state store re-probed at most every 30 s; empty when healthy. */
  health(): Promise<readonly SettingProblem[]>;
  close(): Promise<void>;
}

export interface FailedRuntime {
  readonly ready: false;
  readonly problems: readonly SettingProblem[];
}

export type Runtime = ReadyRuntime | FailedRuntime;

export interface RuntimeOptions {
  /** Used by tests to pin the clock. */
  readonly now?: () => Date;
  /** Overrides the hash worker bundle location. */
  readonly hashWorkerFile?: string;
  /** How long the health check reuses a state-store probe (default 30 s; tests shorten it). */
  readonly healthProbeCacheMs?: number;
}

/** Cost 10 matches the most common legacy bcrypt setting; TimingDecoyHash overrides it (README). */
const DEFAULT_DECOY_BCRYPT_COST = 10;
/** A burst of health checks costs one state-store read per instance in this time. */
const HEALTH_PROBE_CACHE_MS = 30_000;

export async function createRuntime(env: Env, options: RuntimeOptions = {}): Promise<Runtime> {
  const loaded = loadSettings(env);
  if (!loaded.ok) return { ready: false, problems: loaded.problems };
  const settings = loaded.settings;
  const problems: SettingProblem[] = [];

  const keyRing = attempt(problems, 'DecryptionPrivateKey', () =>
    KeyRing.fromPem(settings.decryptionPrivateKey, settings.decryptionPrivateKeyPrevious),
  );
  // Graph sign-in and the probe read take a network round trip or two: start them first, alongside the stores.
  const entraPending = attemptAsync(problems, graphSettingName(settings), () => createEntraDirectory(settings));
  const registry = createHashRegistry({ workerFile: options.hashWorkerFile });
  const clock = options.now;
  const state = await attemptAsync(problems, settings.stateStore.kind === 'table' ? 'StateTableEndpoint' : 'StateStore', () =>
    createStateStore(settings, clock ? () => clock().getTime() : undefined),
  );
  // A missing table, a refused credential or an unreachable account is a settings problem, not a per-request fallback.
  const stateProbe = state ? probeStateStore(state, settings, env) : Promise.resolve(undefined);
  const credentials = await attemptAsync(problems, legacySettingName(settings), () => createCredentialChecker(settings, registry, state));
  const stateProblem = await stateProbe;
  if (stateProblem) problems.push(stateProblem);
  const entra = await entraPending;

  if (!keyRing || !state || !credentials || problems.length > 0) {
    entra?.close();
    await registry.close();
    return { ready: false, problems };
  }

  const authenticator = new CallerAuthenticator({
    tenantId: settings.tenantId,
    tenantSubdomain: settings.tenantSubdomain,
    extensionAppId: settings.extensionAppId,
    extensionAppIdentifierUri: settings.extensionAppIdentifierUri,
    metadataUrls: settings.openIdMetadataUrl ? [settings.openIdMetadataUrl] : undefined,
    clockSkewSeconds: settings.clockSkewSeconds,
    keyRing,
  });
  // Warm the OIDC metadata and JWKS now, so the first sign-in does not pay for the download (never throws).
  void authenticator.prefetch();
  const background = new BackgroundTasks();
  const handler = new PasswordSubmitHandler({ settings, authenticator, keyRing, credentials, state, background, entra, now: options.now });
  return {
    ready: true,
    settings,
    handler,
    background,
    registry,
    summary: { legacyStore: settings.legacyStore.kind, stateStore: state.kind, decryptionKeys: keyRing.keys.length },
    health: cachedHealth(() => probeStateStore(state, settings, env), options.healthProbeCacheMs ?? HEALTH_PROBE_CACHE_MS),
    async close() {
      await background.drain();
      credentials.close?.();
      entra?.close();
      await registry.close();
    },
  };
}

/** `now` pins the store's clock to the handler's (tests), so nonce leases and lockout windows agree. */
async function createStateStore(settings: Settings, now: (() => number) | undefined): Promise<StateStore> {
  const lockoutWindowMs = settings.lockout.windowMinutes * 60_000;
  const s = settings.stateStore;
  if (s.kind === 'memory') return new MemoryStateStore({ lockoutWindowMs, now });
  return TableStateStore.fromSettings({ ...s, lockoutWindowMs, now });
}

/** The state store's probe as a settings problem naming the setting at fault, or undefined when it answered. */
async function probeStateStore(state: StateStore, settings: Settings, env: Env): Promise<SettingProblem | undefined> {
  try {
    await state.probe();
    return undefined;
  } catch (error) {
    const fault = error instanceof StateStoreError ? error.fault : undefined;
    return toProblem(fault === 'table-name' ? 'StateTableName' : stateAccountSetting(settings, env), error);
  }
}

/** The setting that named the state table's account: its own, or the legacy table's it falls back to. */
function stateAccountSetting(settings: Settings, env: Env): string {
  const s = settings.stateStore;
  if (s.kind === 'memory') return 'StateStore';
  const suffix = s.endpoint ? 'TableEndpoint' : 'TableConnectionString';
  return env[`State${suffix}`]?.trim() ? `State${suffix}` : `Legacy${suffix}`;
}

/**
 * The health check's view: the start-up probe just passed, so it is reused until `ttlMs` have passed;
 * concurrent checks share one probe. A later failure is reported here only: callouts carry on (README).
 */
function cachedHealth(probe: () => Promise<SettingProblem | undefined>, ttlMs: number): () => Promise<readonly SettingProblem[]> {
  let last = { at: performance.now(), result: Promise.resolve<readonly SettingProblem[]>([]) };
  return () => {
    if (performance.now() - last.at >= ttlMs) last = { at: performance.now(), result: probe().then((p) => (p ? [p] : [])) };
    return last.result;
  };
}

async function createCredentialChecker(settings: Settings, registry: HashRegistry, state: StateStore | undefined): Promise<CredentialChecker | undefined> {
  const s = settings.legacyStore;
  if (s.kind === 'http') {
    if (!state) return undefined;
    return new WebServiceChecker(new HttpCredentialService({ url: s.url, apiKey: s.apiKey, apiKeyHeader: s.apiKeyHeader, timeoutMs: s.timeoutMs }), state.migrations);
  }
  const repository = s.kind === 'file' ? await FileUserRepository.load(s.usersFile) : TableUserRepository.fromSettings(s);
  const decoy = settings.timingDecoyHash ?? (await bcrypt.hash(randomBytes(18).toString('base64'), DEFAULT_DECOY_BCRYPT_COST));
  if (!registry.identify(decoy)) {
    throw new SettingError('TimingDecoyHash', 'is in no recognized hash format: set it to a hash of a random password in the store\'s main scheme');
  }
  return new HashStoreChecker(repository, registry, decoy);
}

/** The Entra password check's Graph reader, proven at start-up (sign-in, permission, the property); undefined when off. */
async function createEntraDirectory(settings: Settings): Promise<EntraDirectory | undefined> {
  const check = settings.passwordChangeCheck;
  if (check.mode === 'off') return undefined;
  const directory = new GraphEntraDirectory({
    tenantId: settings.tenantId,
    graphBaseUrl: check.graphBaseUrl,
    credential: check.credential,
    timeoutMs: settings.calloutBudgetMs,
  });
  try {
    await directory.probe();
  } catch (error) {
    directory.close();
    throw error;
  }
  return directory;
}

function graphSettingName(settings: Settings): string {
  const check = settings.passwordChangeCheck;
  if (check.mode === 'off' || check.credential.kind === 'static-token') return 'PasswordChangeCheck';
  return check.credential.kind === 'certificate' ? 'GraphClientCertificate' : 'GraphClientId';
}

function legacySettingName(settings: Settings): string {
  switch (settings.legacyStore.kind) {
    case 'file':
      return 'LegacyUsersFile';
    case 'http':
      return 'LegacyServiceUrl';
    case 'table':
      return 'LegacyTableEndpoint';
  }
}

/** An error that already knows which setting is at fault. */
class SettingError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingError';
  }
}

function toProblem(setting: string, error: unknown): SettingProblem {
  if (error instanceof SettingError) return { setting: error.setting, problem: error.message };
  // Adapters' and the key ring's messages are written to be safe to show (they never echo values).
  const message = error instanceof Error ? error.message : 'could not be used';
  return { setting, problem: message.startsWith(setting) ? message.slice(setting.length).trim() : message };
}

function attempt<T>(problems: SettingProblem[], setting: string, build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    problems.push(toProblem(setting, error));
    return undefined;
  }
}

async function attemptAsync<T>(problems: SettingProblem[], setting: string, build: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await build();
  } catch (error) {
    problems.push(toProblem(setting, error));
    return undefined;
  }
}
