/**
 * The HTTP entry points: `/api/onPasswordSubmit` (POST the External ID passwordSubmit callout, GET the health
 * check) and `/api/b2c/*` (B2C's RESTful technical profiles, GET b2c/health), one runtime per process.
 * The runtime is built once per process; misconfiguration answers "not ready" instead of crashing, and is
 * re-read at most every 30 s so a fixed app setting (after restart) or a transient store failure recovers.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { B2C_ROUTES, type B2cRoute } from '../../../lib/b2c/contract';
import type { Env } from '../config/settings';
import { jsonResponse, requestErrorResponse } from '../pipeline/respond';
import { contextSink, errorName, Telemetry, type LogSink } from '../telemetry/telemetry';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime';

const RETRY_FAILED_RUNTIME_MS = 30_000;

export class PasswordSubmitEndpoint {
  private runtime?: Promise<Runtime>;
  private failedAt = 0;

  constructor(
    private readonly env: Env,
    private readonly options: RuntimeOptions = {},
  ) {}

  /** Builds (or returns) the runtime; logs configuration problems once per attempt, names only. */
  getRuntime(sink?: LogSink): Promise<Runtime> {
    if (!this.runtime || (this.failedAt > 0 && Date.now() - this.failedAt > RETRY_FAILED_RUNTIME_MS)) {
      this.failedAt = 0;
      this.runtime = createRuntime(this.env, this.options).then(
        (runtime) => {
          if (!runtime.ready) {
            this.failedAt = Date.now();
            if (sink) new Telemetry(sink).error('jit.notReady', { problems: runtime.problems.map((p) => `${p.setting} ${p.problem}`) });
          }
          return runtime;
        },
        (error: unknown) => {
          this.failedAt = Date.now();
          if (sink) new Telemetry(sink).error('jit.notReady', { errorName: errorName(error) });
          return { ready: false as const, problems: [{ setting: 'configuration', problem: 'could not be loaded; see the function logs' }] };
        },
      );
    }
    return this.runtime;
  }

  async handle(request: HttpRequest, sink: LogSink): Promise<HttpResponseInit> {
    const runtime = await this.getRuntime(sink);
    if (request.method === 'GET') {
      const problems = runtime.ready ? await runtime.health() : runtime.problems;
      return runtime.ready && problems.length === 0
        ? jsonResponse(200, { status: 'ready', ...runtime.summary })
        : jsonResponse(503, { status: 'not-ready', problems });
    }
    if (request.method !== 'POST') return requestErrorResponse(405, 'use POST for passwordSubmit or GET for the health check');
    if (!runtime.ready) return jsonResponse(503, { status: 'not-ready' });
    if (!runtime.handler) return notServed('externalId');
    return runtime.handler.handle(request, new Telemetry(sink));
  }

  /** `/api/b2c/*`: POST to the three journeys' endpoints, GET b2c/health. */
  async handleB2c(route: B2cRoute, request: HttpRequest, sink: LogSink): Promise<HttpResponseInit> {
    const runtime = await this.getRuntime(sink);
    if (route === B2C_ROUTES.health) {
      if (request.method !== 'GET') return requestErrorResponse(405, 'use GET for the B2C health check');
      if (!runtime.ready) return jsonResponse(503, { status: 'not-ready', problems: runtime.problems });
      if (!runtime.b2c) return jsonResponse(503, { status: 'not-ready', problems: [NOT_SERVED.b2c] });
      const problems = await runtime.health();
      return problems.length === 0 ? jsonResponse(200, { status: 'ready', ...runtime.summary }) : jsonResponse(503, { status: 'not-ready', problems });
    }
    if (request.method !== 'POST') return requestErrorResponse(405, 'use POST');
    if (!runtime.ready) return jsonResponse(503, { status: 'not-ready' });
    if (!runtime.b2c) return notServed('b2c');
    const telemetry = new Telemetry(sink);
    switch (route) {
      case B2C_ROUTES.signIn:
        return runtime.b2c.signIn(request, telemetry);
      case B2C_ROUTES.signUp:
        return runtime.b2c.signUp(request, telemetry);
      case B2C_ROUTES.passwordReset:
        return runtime.b2c.passwordReset(request, telemetry);
    }
  }

  async close(): Promise<void> {
    const runtime = await this.runtime;
    if (runtime?.ready) await runtime.close();
  }
}

const NOT_SERVED = {
  externalId: { setting: 'IdentityPlatform', problem: 'is b2c: set it to externalId or both to serve the External ID callout' },
  b2c: { setting: 'IdentityPlatform', problem: 'is externalId: set it to b2c or both to serve the B2C endpoints' },
} as const;

/** 404 for the endpoints of a platform this deployment does not serve, naming the setting. */
function notServed(platform: keyof typeof NOT_SERVED): HttpResponseInit {
  const { setting, problem } = NOT_SERVED[platform];
  return jsonResponse(404, { error: 'not_served', error_description: `${setting} ${problem}` });
}

let processEndpoint: PasswordSubmitEndpoint | undefined;

/** The Azure Functions handler: one endpoint per process, configured from the app settings. */
export async function onPasswordSubmit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  processEndpoint ??= new PasswordSubmitEndpoint(process.env);
  return processEndpoint.handle(request, contextSink(context));
}

/** The Azure Functions handler of one B2C route, sharing the process's endpoint (and so its runtime). */
export function onB2cRequest(route: B2cRoute): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return (request, context) => {
    processEndpoint ??= new PasswordSubmitEndpoint(process.env);
    return processEndpoint.handleB2c(route, request, contextSink(context));
  };
}
