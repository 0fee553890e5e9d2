/**
 * Composition: turns app settings into a ready handler, once per process. Keys are parsed, stores
 * connected and the hash worker pool created here, never per request. The adapters that need an Azure SDK
 * (Table Storage, the Graph reader) are loaded only when the settings choose them: a start that does not use
 * them does not pay for loading them (cold start, README "Benchmark").
 */
import {
  loadSettings,
  type B2cAuthSettings,
  type Env,
  type ExternalIdSettings,
  type LegacyStoreSettings,
  type PartialSettings,
  type PasswordChangeCheckSettings,
  type SettingProblem,
  type Settings,
  type StateStoreSettings,
} from '../config/settings';
import { KeyRing } from '../crypto/keyRing';
import type { EntraDirectory } from '../entra/port';
import { createHashRegistry, type HashRegistry } from '../hashing/registry';
import { FileUserRepository } from '../legacy/fileRepository';
import { HttpCredentialService } from '../legacy/httpCredentialService';
import { B2cRopcService } from '../legacy/b2cRopcService';
import { CircuitBreaker } from '../legacy/circuitBreaker';
import { LegacyMisconfiguredError, LegacyStoreProbeError } from '../legacy/port';
import { CallerAuthenticator } from '../pipeline/authenticate';
import { BackgroundTasks } from '../pipeline/deadline';
import { PasswordSubmitHandler } from '../pipeline/handler';
import { SignInStages } from '../pipeline/stages';
import { B2cHandler, type B2cCaller } from '../b2c/handler';
import { createB2cCallerAuthenticator } from '../b2c/callerAuthentication';
import { HashStoreChecker, WebServiceChecker, type CredentialChecker } from '../pipeline/verify';
import { MemoryStateStore } from '../state/memoryStateStore';
import type { StateStore } from '../state/port';

export interface ReadyRuntime {
  readonly ready: true;
  readonly settings: Settings;
  /** The External ID callout; absent when IdentityPlatform=b2c. */
  readonly handler?: PasswordSubmitHandler;
  /** The B2C endpoints; absent when IdentityPlatform=externalId. */
  readonly b2c?: B2cHandler;
  readonly background: BackgroundTasks;
  readonly registry: HashRegistry;
  readonly summary: {
    readonly identityPlatform: string;
    readonly legacyStore: string;
    readonly stateStore: string;
    readonly decryptionKeys: number;
    readonly b2cApiAuth?: string;
  };
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

/**
 * The timing decoy when TimingDecoyHash is not set: bcrypt cost 10, the most common legacy setting (README).
 * Only its cost matters: an unknown user is refused whatever the comparison says, so the password behind it
 * (random, discarded) needs no secrecy, and a constant spares every start a bcrypt hash on its critical path.
 */
export const DEFAULT_TIMING_DECOY_HASH = '$2b$10$LzUB35tLHC2.ETRY7M4i.Ot7FajJoA2xP0mPvS0AphJhqa4jG0Xh6';
/** A burst of health checks costs one state-store read per instance in this time. */
const HEALTH_PROBE_CACHE_MS = 30_000;

export async function createRuntime(env: Env, options: RuntimeOptions = {}): Promise<Runtime> {
  const loaded = loadSettings(env);
  // A settings problem does not stop the checks of what could be read: one round reports them all (settings.ts).
  const problems: SettingProblem[] = loaded.ok ? [] : [...loaded.problems];
  const settings: PartialSettings = loaded.ok ? loaded.settings : loaded.partial;

  const externalId = settings.externalId;
  const decryptionPrivateKey = externalId?.decryptionPrivateKey;
  const keyRing =
    decryptionPrivateKey === undefined ? undefined : attempt(problems, 'DecryptionPrivateKey', () => KeyRing.fromPem(decryptionPrivateKey, externalId?.decryptionPrivateKeyPrevious));
  const ready = loaded.ok ? loaded.settings : undefined;
  const authenticator = ready?.externalId && keyRing ? createAuthenticator(ready.externalId, ready.clockSkewSeconds, keyRing) : undefined;
  const b2cAuth = settings.b2c?.auth;
  const b2cCaller: B2cCaller | undefined = b2cAuth ? attempt(problems, b2cAuthSettingName(b2cAuth), () => namedSetting(() => createB2cCallerAuthenticator(b2cAuth))) : undefined;
  // Off the critical path: the OIDC metadata and JWKS download while the rest is checked (it never throws), so
  // the first sign-in does not wait for it.
  void authenticator?.prefetch();
  void b2cCaller?.prefetch?.();
  const registry = createHashRegistry({ workerFile: options.hashWorkerFile });

  // Graph sign-in and the probe read take a network round trip or two: start them first, alongside the stores.
  const { calloutBudgetMs } = settings;
  const check = externalId?.passwordChangeCheck;
  const tenantId = externalId?.tenantId;
  const entraPending =
    check && tenantId ? attemptAsync(problems, graphSettingName(check), () => createEntraDirectory(check, tenantId, calloutBudgetMs)) : Promise.resolve(undefined);
  const clock = options.now;
  const { stateStore, legacyStore } = settings;
  const state = stateStore
    ? await attemptAsync(problems, stateStore.kind === 'table' ? 'StateTableEndpoint' : 'StateStore', () =>
        createStateStore(stateStore, settings.lockout.windowMinutes, clock ? () => clock().getTime() : undefined),
      )
    : undefined;
  // A missing table, a refused credential or an unreachable account is a settings problem, not a per-request fallback.
  const stateProbe = state && stateStore ? probeStateStore(state, stateStore, env) : Promise.resolve(undefined);
  // With the requests on their way, the first hash thread can start during the wait.
  if (loaded.ok && startsThreadEarly(loaded.settings)) registry.warmUp();
  const credentials = legacyStore
    ? await attemptAsync(problems, legacySettingName(legacyStore), () => createCredentialChecker(legacyStore, settings.timingDecoyHash, registry, state))
    : undefined;
  // The legacy table too: a wrong table name or a missing role is a settings problem, not a per-request fallback.
  const legacyProblem = credentials && legacyStore ? await probeLegacyStore(credentials, legacyStore) : undefined;
  if (legacyProblem) problems.push(legacyProblem);
  const stateProblem = await stateProbe;
  if (stateProblem) problems.push(stateProblem);
  const entra = await entraPending;

  const requestKeySecret = keyRing?.requestKeySecret ?? (settings.b2c?.requestKeySecret ? Buffer.from(settings.b2c.requestKeySecret, 'utf8') : undefined);
  const externalIdReady = !ready?.externalId || (keyRing && authenticator);
  const b2cReady = !ready?.b2c || b2cCaller;
  if (!ready || !externalIdReady || !b2cReady || !requestKeySecret || !state || !credentials || problems.length > 0) {
    entra?.close();
    credentials?.close?.();
    await registry.close();
    return { ready: false, problems };
  }

  const background = new BackgroundTasks();
  const stages = new SignInStages({ settings: ready, credentials, state, background, requestKeySecret, now: options.now });
  const handler =
    ready.externalId && keyRing && authenticator ? new PasswordSubmitHandler({ externalId: ready.externalId, stages, authenticator, keyRing, entra }) : undefined;
  const b2c = ready.b2c && b2cCaller ? new B2cHandler({ b2c: ready.b2c, stages, caller: b2cCaller }) : undefined;
  return {
    ready: true,
    settings: ready,
    handler,
    b2c,
    background,
    registry,
    summary: {
      identityPlatform: ready.identityPlatform,
      legacyStore: ready.legacyStore.kind,
      stateStore: state.kind,
      decryptionKeys: keyRing?.keys.length ?? 0,
      ...(ready.b2c ? { b2cApiAuth: ready.b2c.auth.kind } : {}),
    },
    health: cachedHealth(
      async () => (await Promise.all([probeLegacyStore(credentials, ready.legacyStore), probeStateStore(state, ready.stateStore, env)])).filter((p) => p !== undefined),
      options.healthProbeCacheMs ?? HEALTH_PROBE_CACHE_MS,
    ),
    async close() {
      await background.drain();
      credentials.close?.();
      entra?.close();
      await registry.close();
    },
  };
}

/**
 * Whether to start the first hash thread at start-up, not awaited (a sign-in that comes first waits in the pool's
 * queue): when the legacy hashes are verified here and start-up waits for the network (the state table's probe,
 * Graph's sign-in and read), the thread's start overlaps that wait instead of delaying the first sign-in. With
 * nothing to wait for (file store, memory state, no Graph check) it would only compete with the start-up, so the
 * first derivation starts it.
 */
function startsThreadEarly(settings: Settings): boolean {
  const waitsForNetwork = settings.stateStore.kind === 'table' || settings.externalId?.passwordChangeCheck.mode === 'graph';
  return settings.legacyStore.kind !== 'http' && settings.legacyStore.kind !== 'b2c' && waitsForNetwork;
}

function createAuthenticator(settings: ExternalIdSettings, clockSkewSeconds: number, keyRing: KeyRing): CallerAuthenticator {
  return new CallerAuthenticator({
    tenantId: settings.tenantId,
    tenantSubdomain: settings.tenantSubdomain,
    extensionAppId: settings.extensionAppId,
    extensionAppIdentifierUri: settings.extensionAppIdentifierUri,
    metadataUrls: settings.openIdMetadataUrl ? [settings.openIdMetadataUrl] : undefined,
    clockSkewSeconds,
    keyRing,
  });
}

/** A construction error whose message starts with a B2C setting's name is about that setting. */
function namedSetting<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    const named = error instanceof Error ? /^(B2c[A-Za-z]+):? (.+)$/s.exec(error.message) : null;
    throw named ? new SettingError(named[1]!, named[2]!) : error;
  }
}

/** The setting a B2C authenticator's construction error is about (its message names it; this is the fallback). */
function b2cAuthSettingName(auth: B2cAuthSettings): string {
  switch (auth.kind) {
    case 'bearer':
      return 'B2cApiAppId';
    case 'basic':
      return 'B2cBasicPassword';
    case 'apiKey':
      return 'B2cApiKey';
    case 'clientCertificate':
      return 'B2cClientCertificateThumbprints';
  }
}

/** `now` pins the store's clock to the handler's (tests), so nonce leases and lockout windows agree. */
async function createStateStore(s: StateStoreSettings, lockoutWindowMinutes: number, now: (() => number) | undefined): Promise<StateStore> {
  const lockoutWindowMs = lockoutWindowMinutes * 60_000;
  if (s.kind === 'memory') return new MemoryStateStore({ lockoutWindowMs, now });
  const { TableStateStore } = await import('../state/tableStateStore');
  return TableStateStore.fromSettings({ ...s, lockoutWindowMs, now });
}

/** The state store's probe as a settings problem naming the setting at fault, or undefined when it answered. */
async function probeStateStore(state: StateStore, stateStore: StateStoreSettings, env: Env): Promise<SettingProblem | undefined> {
  try {
    await state.probe();
    return undefined;
  } catch (error) {
    // Only the table store's probe can fail, so its module is loaded by now.
    const { StateStoreError } = await import('../state/tableStateStore');
    const fault = error instanceof StateStoreError ? error.fault : undefined;
    return toProblem(fault === 'table-name' ? 'StateTableName' : stateAccountSetting(stateStore, env), error);
  }
}

/** The setting that named the state table's account: its own, or the legacy table's it falls back to. */
function stateAccountSetting(s: StateStoreSettings, env: Env): string {
  if (s.kind === 'memory') return 'StateStore';
  const suffix = s.endpoint ? 'TableEndpoint' : 'TableConnectionString';
  return env[`State${suffix}`]?.trim() ? `State${suffix}` : `Legacy${suffix}`;
}

/**
 * The health check's view: the start-up probe just passed, so it is reused until `ttlMs` have passed;
 * concurrent checks share one probe. A later failure is reported here only: callouts carry on (README).
 */
function cachedHealth(probe: () => Promise<readonly SettingProblem[]>, ttlMs: number): () => Promise<readonly SettingProblem[]> {
  let last = { at: performance.now(), result: Promise.resolve<readonly SettingProblem[]>([]) };
  return () => {
    if (performance.now() - last.at >= ttlMs) last = { at: performance.now(), result: probe() };
    return last.result;
  };
}

/** The legacy store's probe (a table; a file is proven by loading it) as a settings problem, or undefined. */
async function probeLegacyStore(credentials: CredentialChecker, legacyStore: LegacyStoreSettings): Promise<SettingProblem | undefined> {
  if (!credentials.probe) return undefined;
  try {
    await credentials.probe();
    return undefined;
  } catch (error) {
    // The B2C tenant's last answer named what to fix.
    if (error instanceof LegacyMisconfiguredError) return { setting: error.setting, problem: error.fix };
    const fault = error instanceof LegacyStoreProbeError ? error.fault : 'account';
    return toProblem(fault === 'table-name' ? 'LegacyTableName' : legacyAccountSetting(legacyStore), error);
  }
}

/** The setting that named the legacy table's account. */
function legacyAccountSetting(s: LegacyStoreSettings): string {
  return s.kind === 'table' && !s.endpoint ? 'LegacyTableConnectionString' : legacySettingName(s);
}

async function createCredentialChecker(
  s: LegacyStoreSettings,
  timingDecoyHash: string | undefined,
  registry: HashRegistry,
  state: StateStore | undefined,
): Promise<CredentialChecker | undefined> {
  if (s.kind === 'http') {
    if (!state) return undefined;
    return new WebServiceChecker(new HttpCredentialService({ url: s.url, apiKey: s.apiKey, apiKeyHeader: s.apiKeyHeader, timeoutMs: s.timeoutMs, lookupUrl: s.lookupUrl }), state.migrations);
  }
  if (s.kind === 'b2c') {
    if (!state) return undefined;
    const { threshold, windowSeconds, cooldownSeconds } = s.circuit;
    const circuit = new CircuitBreaker(state.circuit, { threshold, windowMs: windowSeconds * 1000, cooldownMs: cooldownSeconds * 1000 });
    return new WebServiceChecker(new B2cRopcService({ ...s, circuit }), state.migrations);
  }
  const repository = s.kind === 'file' ? await FileUserRepository.load(s.usersFile) : (await import('../legacy/tableRepository')).TableUserRepository.fromSettings(s);
  const decoy = timingDecoyHash ?? DEFAULT_TIMING_DECOY_HASH;
  if (!registry.identify(decoy)) {
    throw new SettingError('TimingDecoyHash', 'is in no recognized hash format: set it to a hash of a random password in the store\'s main scheme');
  }
  return new HashStoreChecker(repository, registry, decoy);
}

/** The Entra password check's Graph reader, proven at start-up (sign-in, permission, the property); undefined when off. */
async function createEntraDirectory(check: PasswordChangeCheckSettings, tenantId: string, timeoutMs: number): Promise<EntraDirectory | undefined> {
  if (check.mode === 'off') return undefined;
  const { GraphEntraDirectory } = await import('../entra/graphDirectory');
  const directory = new GraphEntraDirectory({ tenantId, graphBaseUrl: check.graphBaseUrl, credential: check.credential, timeoutMs });
  try {
    await directory.probe();
  } catch (error) {
    directory.close();
    throw error;
  }
  return directory;
}

function graphSettingName(check: PasswordChangeCheckSettings): string {
  if (check.mode === 'off' || check.credential.kind === 'static-token') return 'PasswordChangeCheck';
  return check.credential.kind === 'certificate' ? 'GraphClientCertificate' : 'GraphClientId';
}

function legacySettingName(s: LegacyStoreSettings): string {
  switch (s.kind) {
    case 'file':
      return 'LegacyUsersFile';
    case 'http':
      return 'LegacyServiceUrl';
    case 'b2c':
      return s.tokenUrl ? 'LegacyB2cTokenUrl' : 'LegacyB2cTenant';
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
