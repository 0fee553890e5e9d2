/**
 * The HTTP entry point for `/api/onPasswordSubmit`: POST is the passwordSubmit callout, GET the health check.
 * The runtime is built once per process; misconfiguration answers "not ready" instead of crashing, and is
 * re-read at most every 30 s so a fixed app setting (after restart) or a transient store failure recovers.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
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
    return runtime.handler.handle(request, new Telemetry(sink));
  }

  async close(): Promise<void> {
    const runtime = await this.runtime;
    if (runtime?.ready) await runtime.close();
  }
}

let processEndpoint: PasswordSubmitEndpoint | undefined;

/** The Azure Functions handler: one endpoint per process, configured from the app settings. */
export async function onPasswordSubmit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  processEndpoint ??= new PasswordSubmitEndpoint(process.env);
  return processEndpoint.handle(request, contextSink(context));
}
