/**
 * Deploys the function package to a Flex Consumption app with an Entra token, no basic auth (Learn
 * "Deployment technologies in Azure Functions", One Deploy): `POST https://{scm}/api/publish?type=zip&RemoteBuild=false` with an ARM bearer token and
 * `Content-Type: application/zip`, then `GET /api/deployments/{id}` until Kudu reports Success (4) or
 * Failed (3): the publish reply alone does not mean the package is live (microsoft/azure-pipelines-tasks#22316).
 *
 * - Redeploys only when `zipSha256` changes. `zipPath` is never compared: it differs between machines.
 * - 429 and 5xx are retried after `Retry-After` (or an exponential back-off); 409 "deployment in progress"
 *   waits, within a bounded time; 401/403/404/415 fail at once with the fix.
 * - The package is hashed before upload: a file that changed since `buildFunctionPackage` is refused.
 * - read (refresh) asks the SCM site for its latest deployment: if it is not ours (another tool deployed, or
 *   the app was recreated) the stored hash is cleared so the next `up` redeploys.
 * - delete does nothing: deleting the app removes its code.
 *
 * Recreating the app under the same name keeps `functionAppId`; pass `replaceWith: [app]` (and
 * `deletedWith: app`) in the resource options so a replaced app gets the code again in the same `up`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AccessToken, TokenCredential } from '@azure/identity';
import * as pulumi from '@pulumi/pulumi';
import { backoffDelay, parseRetryAfter, THROTTLE_BACKOFF, type BackoffOptions } from '../../lib/graph/retry';
import { accessToken, ARM_SCOPE, credentialFor, defaultSleep, isLoopbackHost, isUnknown } from './azureAccess';
import { bundledProvider } from './shim';
import { GUID_SOURCE } from '../../lib/ids/guid';

/** Flex deployment ids are GUIDs; classic Kudu used 40-hex ids. */
const DEPLOYMENT_ID = new RegExp(`^${GUID_SOURCE}$|^[0-9a-f]{40}$`, 'i');

export interface FunctionCodeDeploymentArgs {
  /** ARM id of the function app (`/subscriptions/…/providers/Microsoft.Web/sites/{name}`). */
  functionAppId: pulumi.Input<string>;
  /** `{app}.scm.azurewebsites.net`: host name only. */
  scmHostName: pulumi.Input<string>;
  /** Local path of the zip (from buildFunctionPackage); not compared by diff. */
  zipPath: pulumi.Input<string>;
  /** SHA-256 (hex) of the zip: the only input whose change redeploys. */
  zipSha256: pulumi.Input<string>;
}

export interface FunctionCodeDeploymentInputs {
  functionAppId: string;
  scmHostName: string;
  zipPath: string;
  zipSha256: string;
}

export interface FunctionCodeDeploymentOutputs {
  functionAppId: string;
  scmHostName: string;
  zipSha256: string;
  /** SHA-256 of the package the app runs; '' after a refresh found another deployment. */
  deployedSha256: string;
  /** Kudu's deployment id of our last publish. */
  deploymentId: string;
}

/** Kudu DeployStatus (azure-functions-core-tools DeployStatus; Azure/azure-dev#3658). */
export const DEPLOY_STATUS = { Cancelled: -1, Pending: 0, Building: 1, Deploying: 2, Failed: 3, Success: 4, Conflict: 5, PartialSuccess: 6 } as const;

export interface FunctionCodeDeploymentProviderOptions {
  /** Credential per SCM endpoint; default: the loopback seam or DefaultAzureCredential (azureAccess.ts). */
  credentialFor?: (endpoint: URL) => TokenCredential;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per request on 429/5xx/network errors. Default 8. */
  maxAttempts?: number;
  /** Total time to keep retrying 409 "deployment in progress". Default 10 min. */
  conflictBudgetMs?: number;
  /** Waits after a 409 without Retry-After. Default 15 s doubling to 60 s. */
  conflictBackoff?: BackoffOptions;
  /** Interval between status polls. Default 3 s. */
  pollIntervalMs?: number;
  /** Longest wait for a deployment to finish. Default 15 min. */
  deploymentTimeoutMs?: number;
  /** Per-request timeout of the upload. Default 10 min. */
  uploadTimeoutMs?: number;
  /** Polls to tolerate 404 for a just-accepted deployment id before giving up. Default 10. */
  notFoundPolls?: number;
  random?: () => number;
}

const SITE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/[^/]+$/i;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
const SHA256 = /^[0-9a-f]{64}$/;

type Failure = { property: string; reason: string };

/** Validates and normalizes; unknown values (preview) pass through unchanged. */
export function checkDeploymentInputs(news: Record<string, unknown>): { inputs: Record<string, unknown>; failures: Failure[] } {
  const inputs: Record<string, unknown> = {};
  const failures: Failure[] = [];
  const take = (property: keyof FunctionCodeDeploymentInputs, normalize: (value: string) => string | undefined, reason: string): void => {
    const raw = news[property];
    if (isUnknown(raw)) {
      inputs[property] = raw;
      return;
    }
    const value = typeof raw === 'string' ? normalize(raw.trim()) : undefined;
    if (value === undefined) failures.push({ property, reason });
    inputs[property] = value ?? raw;
  };
  take('functionAppId', (v) => (SITE_ID.test(v) ? v : undefined), 'functionAppId must be the function app\'s ARM id (/subscriptions/…/providers/Microsoft.Web/sites/{name})');
  take(
    'scmHostName',
    (v) => {
      const host = v.toLowerCase().replace(/\.$/, '');
      if (!HOST.test(host)) return undefined;
      // A port only makes sense for a loopback emulator.
      return host.includes(':') && !isLoopbackHost(host.replace(/:\d+$/, '')) ? undefined : host;
    },
    'scmHostName must be the SCM host name only, like {app}.scm.azurewebsites.net (no scheme or path)',
  );
  take('zipPath', (v) => (v === '' ? undefined : v), 'zipPath must name the package zip (FunctionPackage.zipPath)');
  take('zipSha256', (v) => (SHA256.test(v.toLowerCase()) ? v.toLowerCase() : undefined), 'zipSha256 must be the 64-hex-digit SHA-256 of the zip (FunctionPackage.sha256)');
  return { inputs, failures };
}

function parseInputs(values: Record<string, unknown>): FunctionCodeDeploymentInputs {
  const { inputs, failures } = checkDeploymentInputs(values);
  const keys = ['functionAppId', 'scmHostName', 'zipPath', 'zipSha256'] as const;
  const problems = [...failures.map((failure) => failure.reason), ...keys.filter((key) => isUnknown(inputs[key])).map((key) => `${key} is not known yet`)];
  if (problems.length > 0) throw new Error(`invalid FunctionCodeDeployment inputs: ${problems.join('; ')}`);
  return inputs as unknown as FunctionCodeDeploymentInputs;
}

class HttpFailure extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

export function createFunctionCodeDeploymentProvider(options: FunctionCodeDeploymentProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 8;
  const conflictBudgetMs = options.conflictBudgetMs ?? 10 * 60_000;
  const conflictBackoff = options.conflictBackoff ?? { baseMs: 15_000, capMs: 60_000 };
  const pollIntervalMs = options.pollIntervalMs ?? 3000;
  const deploymentTimeoutMs = options.deploymentTimeoutMs ?? 15 * 60_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 10 * 60_000;
  const notFoundPolls = options.notFoundPolls ?? 10;
  const random = options.random ?? Math.random;

  interface Session {
    origin: string;
    /** A token per request, cached until five minutes before it expires (polls must not re-run `az` each time). */
    token(): Promise<string>;
  }

  const open = (scmHostName: string): Session => {
    const host = scmHostName.replace(/:\d+$/, '');
    const origin = `${isLoopbackHost(host) ? 'http' : 'https'}://${scmHostName}`;
    const credential = (options.credentialFor ?? credentialFor)(new URL(origin));
    let cached: AccessToken | undefined;
    return {
      origin,
      async token() {
        if (!cached || cached.expiresOnTimestamp - Date.now() < 5 * 60_000) cached = await accessToken(credential, ARM_SCOPE);
        return cached.token;
      },
    };
  };

  /**
   * One request with the retry policy: 429/5xx/network errors up to `maxAttempts` (Retry-After first),
   * and 409 only when `waitOnConflict` (publishing), within the conflict budget.
   */
  const send = async (session: Session, method: 'GET' | 'POST', path: string, init: { body?: Buffer; timeoutMs: number; waitOnConflict?: boolean; accept404?: boolean }): Promise<{ status: number; text: string }> => {
    // Time spent waiting on 409s (counted, not read from the clock, so an injected sleep counts too).
    let conflictWaited = 0;
    let conflicts = 0;
    for (let attempt = 0; ; ) {
      const token = await session.token();
      let response: Response;
      try {
        response = await fetch(`${session.origin}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(init.body ? { 'Content-Type': 'application/zip' } : {}),
            'Cache-Control': 'no-cache',
            'User-Agent': 'entra-jit-migration-pulumi',
          },
          body: init.body,
          signal: AbortSignal.timeout(init.timeoutMs),
        });
      } catch (error) {
        // A network failure or timeout: the POST may or may not have arrived. Publishing the same zip again is
        // harmless (the package replaces itself), and a 409 tells us when the first one is still running.
        if (++attempt >= maxAttempts) throw new HttpFailure(`${method} ${session.origin}${path} failed after ${attempt} attempts: ${networkDetail(error)}`, undefined);
        await sleep(backoffDelay(attempt - 1, { ...THROTTLE_BACKOFF, random }));
        continue;
      }
      const text = await response.text();
      const { status } = response;
      if (status < 300 || (status === 404 && init.accept404)) return { status, text };
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (status === 409 && init.waitOnConflict) {
        const wait = retryAfter ?? backoffDelay(conflicts++, { ...conflictBackoff, random });
        conflictWaited += wait;
        if (conflictWaited > conflictBudgetMs) {
          throw new HttpFailure(`another deployment to ${session.origin} was still running after ${Math.round(conflictBudgetMs / 1000)} s (409): run pulumi up again when it completes`, 409);
        }
        await sleep(wait);
        continue;
      }
      if (status === 429 || status >= 500) {
        if (++attempt >= maxAttempts) throw new HttpFailure(`${method} ${session.origin}${path} kept failing with ${status} after ${attempt} attempts: ${snippet(text)}`, status);
        await sleep(retryAfter ?? backoffDelay(attempt - 1, { ...THROTTLE_BACKOFF, random }));
        continue;
      }
      throw new HttpFailure(`${method} ${session.origin}${path} answered ${status}: ${snippet(text)}${fixFor(status)}`, status);
    }
  };

  /** Polls the deployment until Kudu reports success; returns the id Kudu reports for it. */
  const awaitDeployment = async (session: Session, deploymentId: string): Promise<string | undefined> => {
    let waited = 0;
    let missing = 0;
    for (;;) {
      const { status, text } = await send(session, 'GET', `/api/deployments/${encodeURIComponent(deploymentId)}`, { timeoutMs: 60_000, accept404: true });
      if (status === 404) {
        // A just-accepted deployment can take a moment to be listed (Azure/azure-dev#4439).
        if (++missing > notFoundPolls) throw new Error(`deployment ${deploymentId} is not known to ${session.origin}: check the app's deployment logs`);
      } else {
        const record = parseJson(text) as { id?: unknown; status?: unknown; status_text?: unknown } | undefined;
        const code = typeof record?.status === 'number' ? record.status : undefined;
        if (code === DEPLOY_STATUS.Success) return typeof record?.id === 'string' ? record.id : undefined;
        if (code !== undefined && code !== DEPLOY_STATUS.Pending && code !== DEPLOY_STATUS.Building && code !== DEPLOY_STATUS.Deploying) {
          const name = Object.entries(DEPLOY_STATUS).find(([, value]) => value === code)?.[0] ?? String(code);
          const detail = typeof record?.status_text === 'string' && record.status_text !== '' ? `: ${record.status_text}` : '';
          throw new Error(`deployment ${deploymentId} to ${session.origin} ended ${name}${detail}`);
        }
      }
      if (waited >= deploymentTimeoutMs) throw new Error(`deployment ${deploymentId} to ${session.origin} did not finish in ${Math.round(deploymentTimeoutMs / 1000)} s`);
      await sleep(pollIntervalMs);
      waited += pollIntervalMs;
    }
  };

  const deploy = async (inputs: FunctionCodeDeploymentInputs): Promise<FunctionCodeDeploymentOutputs> => {
    let zip: Buffer;
    try {
      zip = await readFile(inputs.zipPath);
    } catch (error) {
      throw new Error(`cannot read the function package ${inputs.zipPath}: ${(error as Error).message}. Build it with buildFunctionPackage()`, { cause: error });
    }
    const actual = createHash('sha256').update(zip).digest('hex');
    if (actual !== inputs.zipSha256) {
      throw new Error(`the function package ${inputs.zipPath} has SHA-256 ${actual}, not ${inputs.zipSha256}: it changed after it was built; rebuild and pass FunctionPackage.sha256`);
    }
    const session = open(inputs.scmHostName);
    // RemoteBuild=false: the zip already carries node_modules for linux-x64; the platform must not npm install.
    const { text } = await send(session, 'POST', '/api/publish?type=zip&RemoteBuild=false', { body: zip, timeoutMs: uploadTimeoutMs, waitOnConflict: true });
    const accepted = deploymentIdFrom(text);
    // Without an id in the reply, the newest deployment is ours: the 409 rule means none could start since.
    const reported = await awaitDeployment(session, accepted ?? 'latest');
    return { functionAppId: inputs.functionAppId, scmHostName: inputs.scmHostName, zipSha256: inputs.zipSha256, deployedSha256: actual, deploymentId: accepted ?? reported ?? '' };
  };

  return {
    async check(_olds, news) {
      return checkDeploymentInputs(news as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
      const deployed = typeof olds['deployedSha256'] === 'string' ? olds['deployedSha256'] : olds['zipSha256'];
      const sameApp = !isUnknown(news['functionAppId']) && String(olds['functionAppId'] ?? '').toLowerCase() === String(news['functionAppId'] ?? '').toLowerCase();
      const sameHost = !isUnknown(news['scmHostName']) && olds['scmHostName'] === news['scmHostName'];
      const sameCode = !isUnknown(news['zipSha256']) && deployed === news['zipSha256'];
      const replaces = sameApp ? [] : ['functionAppId'];
      const changes = !sameApp || !sameHost || !sameCode;
      return { changes, replaces, stables: sameApp ? ['functionAppId'] : [], deleteBeforeReplace: false };
    },

    async create(inputs) {
      const outs = await deploy(parseInputs(inputs));
      return { id: `${outs.functionAppId}/codeDeployment`, outs };
    },

    async update(_id, _olds, news) {
      return { outs: await deploy(parseInputs(news)) };
    },

    async read(id, props) {
      const stored = (props ?? {}) as Partial<FunctionCodeDeploymentOutputs>;
      if (!stored.scmHostName) return { id, props };
      const session = open(stored.scmHostName);
      const { status, text } = await send(session, 'GET', '/api/deployments/latest', { timeoutMs: 60_000, accept404: true });
      const latest = status === 404 ? undefined : (parseJson(text) as { id?: unknown; status?: unknown } | undefined);
      const ours = latest !== undefined && stored.deploymentId !== undefined && stored.deploymentId !== '' && latest.id === stored.deploymentId && latest.status === DEPLOY_STATUS.Success;
      return { id, props: { ...stored, deployedSha256: ours ? (stored.deployedSha256 ?? '') : '' } };
    },

    async delete() {
      // Nothing to do: the package lives with the app and goes when the app is deleted.
    },
  };
}

export const functionCodeDeploymentProvider: pulumi.dynamic.ResourceProvider = createFunctionCodeDeploymentProvider();

/** The publish reply is the deployment id as a JSON string (Azure/azure-dev#3658); tolerate plain text. */
function deploymentIdFrom(text: string): string | undefined {
  const parsed = parseJson(text);
  const candidate = (typeof parsed === 'string' ? parsed : typeof (parsed as { id?: unknown } | undefined)?.id === 'string' ? (parsed as { id: string }).id : text).trim();
  return DEPLOYMENT_ID.test(candidate) ? candidate : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a timeout …) in `cause`. */
function networkDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${message} (${cause})` : message;
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || '(empty body)';
}

function fixFor(status: number): string {
  switch (status) {
    case 401:
    case 403:
      return '. The deploying identity needs Website Contributor (or Contributor) on the function app; the SCM site must accept Entra tokens';
    case 404:
      return '. Check scmHostName (the app\'s {name}.scm.azurewebsites.net) and that the app exists';
    case 415:
      return '. The endpoint wants Content-Type application/zip';
    default:
      return '';
  }
}

/**
 * The function app's code, deployed from a package built by buildFunctionPackage. Recommended options:
 * `{ dependsOn: [app], replaceWith: [app], deletedWith: app }`.
 */
export class FunctionCodeDeployment extends pulumi.dynamic.Resource {
  declare readonly deployedSha256: pulumi.Output<string>;
  declare readonly deploymentId: pulumi.Output<string>;

  constructor(name: string, args: FunctionCodeDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
    super(bundledProvider('functionCodeDeployment'), name, { ...args, deployedSha256: undefined, deploymentId: undefined }, opts, 'azure', 'FunctionCodeDeployment');
  }
}
