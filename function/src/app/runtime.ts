/**
 * Composition: turns app settings into a ready handler, once per process. Keys are parsed, stores
 * connected and the hash worker pool created here, never per request.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { loadSettings, type Env, type SettingProblem, type Settings } from '../config/settings';
import { KeyRing } from '../crypto/keyRing';
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
import { TableStateStore } from '../state/tableStateStore';

export interface ReadyRuntime {
  readonly ready: true;
  readonly settings: Settings;
  readonly handler: PasswordSubmitHandler;
  readonly background: BackgroundTasks;
  readonly registry: HashRegistry;
  readonly summary: { readonly legacyStore: string; readonly stateStore: string; readonly decryptionKeys: number };
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
}

/** Cost 10 matches the most common legacy bcrypt setting; TimingDecoyHash overrides it (README). */
const DEFAULT_DECOY_BCRYPT_COST = 10;

export async function createRuntime(env: Env, options: RuntimeOptions = {}): Promise<Runtime> {
  const loaded = loadSettings(env);
  if (!loaded.ok) return { ready: false, problems: loaded.problems };
  const settings = loaded.settings;
  const problems: SettingProblem[] = [];

  const keyRing = attempt(problems, 'DecryptionPrivateKey', () =>
    KeyRing.fromPem(settings.decryptionPrivateKey, settings.decryptionPrivateKeyPrevious),
  );
  const registry = createHashRegistry({ workerFile: options.hashWorkerFile });
  const clock = options.now;
  const state = await attemptAsync(problems, settings.stateStore.kind === 'table' ? 'StateTableEndpoint' : 'StateStore', () =>
    createStateStore(settings, clock ? () => clock().getTime() : undefined),
  );
  const credentials = await attemptAsync(problems, legacySettingName(settings), () => createCredentialChecker(settings, registry, state));

  if (!keyRing || !state || !credentials || problems.length > 0) {
    await registry.close();
    return { ready: false, problems };
  }

  const authenticator = new CallerAuthenticator({
    tenantId: settings.tenantId,
    extensionAppId: settings.extensionAppId,
    extensionAppIdentifierUri: settings.extensionAppIdentifierUri,
    metadataUrls: settings.openIdMetadataUrl ? [settings.openIdMetadataUrl] : undefined,
    clockSkewSeconds: settings.clockSkewSeconds,
    keyRing,
  });
  // Warm the OIDC metadata and JWKS now, so the first sign-in does not pay for the download (never throws).
  void authenticator.prefetch();
  const background = new BackgroundTasks();
  const handler = new PasswordSubmitHandler({ settings, authenticator, keyRing, credentials, state, background, now: options.now });
  return {
    ready: true,
    settings,
    handler,
    background,
    registry,
    summary: { legacyStore: settings.legacyStore.kind, stateStore: state.kind, decryptionKeys: keyRing.keys.length },
    async close() {
      await background.drain();
      credentials.close?.();
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
