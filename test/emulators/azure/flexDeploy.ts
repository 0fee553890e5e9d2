/**
 * A loopback Flex Consumption deployment endpoint (the app's SCM site, One Deploy):
 * - `POST /api/publish?type=zip` with an Entra bearer and `Content-Type: application/zip` (no basic auth;
 *   Learn "Deployment technologies in Azure Functions", One Deploy) answers 200 with the deployment id as a JSON string
 *   (Azure/azure-dev#3658). 409 while another deployment is still running.
 * - `GET /api/deployments/{id}` and `/api/deployments/latest` report Kudu's `status` (0 Pending, 1 Building,
 *   2 Deploying, 3 Failed, 4 Success) and `complete`; a deployment finishes after a configurable number of polls.
 * - The zip is parsed and CRC-checked; a package without `host.json` at its root fails as a deployment.
 * - Scripted faults (429 + Retry-After, 5xx, 409) come from the shared fault queue.
 * No jest imports.
 */
import { createHash, randomUUID } from 'node:crypto';
import { bearerOf, FaultScript, faultResponse, LoopbackServer, type EmulatedRequest, type EmulatedResponse, type ScriptedFault } from './http';
import { readZip } from './zip';

export const DEPLOY_STATUS = { Pending: 0, Building: 1, Deploying: 2, Failed: 3, Success: 4 } as const;

export interface FlexDeployEmulatorOptions {
  /** The bearer every request must carry; any non-empty bearer when unset. */
  token?: string;
  /** Status polls a deployment answers as in progress before it completes. Default 1. */
  pollsUntilComplete?: number;
}

export interface EmulatedDeployment {
  readonly id: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly entries: readonly string[];
  status: number;
  statusText: string;
  pollsLeft: number;
  readonly receivedTime: string;
  endTime?: string;
}

class KuduError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class FlexDeployEmulator {
  readonly faults = new FaultScript();
  readonly deployments: EmulatedDeployment[] = [];
  readonly requests: string[] = [];
  unauthenticated = 0;
  private failNext: string | undefined;

  private constructor(
    private readonly options: FlexDeployEmulatorOptions,
    private readonly server: LoopbackServer,
  ) {}

  static async start(options: FlexDeployEmulatorOptions = {}): Promise<FlexDeployEmulator> {
    let emulator: FlexDeployEmulator | undefined;
    const server = await LoopbackServer.start(
      (request) => emulator!.handle(request),
      (error) => (error instanceof KuduError ? kuduError(error) : { status: 500, body: { Message: `Emulator failure: ${String(error)}` } }),
    );
    emulator = new FlexDeployEmulator(options, server);
    return emulator;
  }

  /** `127.0.0.1:PORT`: what the provider takes as `scmHostName`. */
  get host(): string {
    return new URL(this.server.origin).host;
  }

  /** SHA-256 (hex) of the package the last successful deployment installed. */
  get deployedSha256(): string | undefined {
    return this.deployments.filter((deployment) => deployment.status === DEPLOY_STATUS.Success).at(-1)?.sha256;
  }

  /** Publish requests that created a deployment. */
  get publishes(): number {
    return this.deployments.length;
  }

  injectFault(fault: ScriptedFault): void {
    this.faults.add(fault);
  }

  /** The next deployment ends Failed (3) with this status text. */
  failNextDeployment(statusText: string): void {
    this.failNext = statusText;
  }

  /** A deployment someone else made (another tool): it becomes `latest`. */
  recordForeignDeployment(sha256: string): void {
    this.deployments.push({ id: randomUUID(), sha256, bytes: 0, entries: [], status: DEPLOY_STATUS.Success, statusText: '', pollsLeft: 0, receivedTime: new Date().toISOString() });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private async handle(request: EmulatedRequest): Promise<EmulatedResponse> {
    const path = request.url.pathname;
    this.requests.push(`${request.method} ${path}${request.url.search}`);
    this.authenticate(request.headers);
    const fault = this.faults.take(request.method, path);
    if (fault && !fault.afterHandling) return faultResponse(fault, faultBody);
    const response = this.route(request);
    return fault ? faultResponse(fault, faultBody) : response;
  }

  private authenticate(headers: Record<string, string>): void {
    const token = bearerOf(headers);
    if (token !== undefined && (this.options.token === undefined || token === this.options.token)) return;
    this.unauthenticated++;
    throw new KuduError(401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
  }

  private route(request: EmulatedRequest): EmulatedResponse {
    const [api, resource, id, extra] = request.segments;
    if (api === 'api' && resource === 'publish' && id === undefined && request.method === 'POST') return this.publish(request);
    if (api === 'api' && resource === 'deployments' && id !== undefined && extra === undefined && request.method === 'GET') return this.status(id);
    throw new KuduError(404, `No route for ${request.method} ${request.url.pathname}.`);
  }

  private publish(request: EmulatedRequest): EmulatedResponse {
    const type = request.url.searchParams.get('type');
    if (type !== 'zip') throw new KuduError(400, `Deployment type '${type ?? ''}' is not supported: use type=zip.`);
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/zip') throw new KuduError(415, `Content-Type '${contentType ?? ''}' is not supported: send application/zip.`);
    const running = this.deployments.find((deployment) => deployment.status < DEPLOY_STATUS.Failed);
    if (running) {
      // The running deployment makes progress in the background whether or not anyone polls it.
      this.advance(running);
      if (running.status < DEPLOY_STATUS.Failed) throw new KuduError(409, 'There is a deployment currently in progress. Please try again when it completes.');
    }
    let entries: string[];
    try {
      entries = readZip(request.body).map((entry) => entry.name);
    } catch (error) {
      throw new KuduError(400, `The package is not a valid zip file: ${error instanceof Error ? error.message : String(error)}`);
    }
    const failure = this.failNext ?? (entries.includes('host.json') ? undefined : 'host.json was not found at the root of the package.');
    this.failNext = undefined;
    const deployment: EmulatedDeployment = {
      id: randomUUID(),
      sha256: createHash('sha256').update(request.body).digest('hex'),
      bytes: request.body.length,
      entries,
      status: DEPLOY_STATUS.Pending,
      statusText: failure ?? '',
      pollsLeft: this.options.pollsUntilComplete ?? 1,
      receivedTime: new Date().toISOString(),
    };
    this.deployments.push(deployment);
    return { status: 200, body: JSON.stringify(deployment.id), headers: { 'Content-Type': 'application/json; charset=utf-8' } };
  }

  private status(id: string): EmulatedResponse {
    const deployment = id === 'latest' ? this.deployments.at(-1) : this.deployments.find((candidate) => candidate.id === id);
    if (!deployment) throw new KuduError(404, `Deployment ${id} not found.`);
    this.advance(deployment);
    const complete = deployment.status >= DEPLOY_STATUS.Failed;
    return {
      status: 200,
      body: {
        id: deployment.id,
        status: deployment.status,
        status_text: deployment.statusText,
        deployer: 'emulator',
        remoteBuild: false,
        received_time: deployment.receivedTime,
        end_time: deployment.endTime ?? null,
        complete,
        active: deployment === this.deployments.filter((candidate) => candidate.status === DEPLOY_STATUS.Success).at(-1),
      },
    };
  }

  private advance(deployment: EmulatedDeployment): void {
    if (deployment.status >= DEPLOY_STATUS.Failed) return;
    deployment.pollsLeft--;
    if (deployment.pollsLeft <= 0) {
      deployment.status = deployment.statusText !== '' ? DEPLOY_STATUS.Failed : DEPLOY_STATUS.Success;
      deployment.endTime = new Date().toISOString();
    } else {
      deployment.status = DEPLOY_STATUS.Deploying;
    }
  }
}

function kuduError(error: KuduError): EmulatedResponse {
  return { status: error.status, headers: error.headers, body: { Message: error.message } };
}

function faultBody(status: number): unknown {
  if (status === 409) return { Message: 'There is a deployment currently in progress. Please try again when it completes.' };
  if (status === 429) return { Message: 'Too many requests. Retry after the time in the Retry-After header.' };
  return { Message: `The service returned ${status}; retry later.` };
}
