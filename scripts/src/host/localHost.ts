/**
 * A loopback HTTP host for the function: it turns Node requests into @azure/functions HttpRequest objects
 * and calls the very same endpoint the Functions runtime calls. Used by `serve`, the sandbox and the tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import type { Env } from '../../../function/src/config';
import { isLoopbackHost } from '../../../function/src/config';
import { PasswordSubmitEndpoint } from '../../../function/src/app';
import type { RuntimeOptions } from '../../../function/src/app';
import type { LogSink } from '../../../function/src/telemetry';
import { B2C_ROUTES, type B2cRoute } from '../../../lib/b2c/contract';

export const ROUTE = '/api/onPasswordSubmit';
/** The B2C routes under the same `/api` prefix as in Azure. */
const B2C_PATHS: ReadonlyMap<string, B2cRoute> = new Map(Object.values(B2C_ROUTES).map((route) => [`/api/${route}`, route]));
/** The host reads at most this much before giving up; the handler applies MaxRequestBytes itself. */
const HOST_BODY_LIMIT = 1024 * 1024;

export interface LocalHost {
  /** The External ID callout's URL. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`: the B2C endpoints are at `${origin}/api/b2c/...`. */
  readonly origin: string;
  readonly endpoint: PasswordSubmitEndpoint;
  close(): Promise<void>;
}

export async function startLocalHost(options: { env: Env; port?: number; host?: string; sink: LogSink; runtime?: RuntimeOptions }): Promise<LocalHost> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`--host must be a loopback address (127.0.0.1, ::1 or localhost); the local host is not hardened for exposure`);
  const endpoint = new PasswordSubmitEndpoint(options.env, options.runtime);
  const server = http.createServer((req, res) => {
    void serveOne(endpoint, options.sink, req, res);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${options.port} on ${host} is in use: stop what listens there or choose another --port`) : error);
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}${ROUTE}`,
    origin: `http://${hostForUrl}:${address.port}`,
    endpoint,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await endpoint.close();
    },
  };
}

async function serveOne(endpoint: PasswordSubmitEndpoint, sink: LogSink, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const path = (req.url ?? '').split('?')[0];
    const b2cRoute = B2C_PATHS.get(path ?? '');
    if (path !== ROUTE && !b2cRoute) return send(res, { status: 404 });
    const body = await readLimited(req);
    if (body === undefined) return send(res, { status: 413 });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers[name] = value;
      else if (Array.isArray(value)) headers[name] = value.join(', ');
    }
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? 'localhost'}${req.url ?? ''}`,
      headers,
      body: body.length > 0 ? { bytes: body } : undefined,
    });
    send(res, b2cRoute ? await endpoint.handleB2c(b2cRoute, request, sink) : await endpoint.handle(request, sink));
  } catch {
    // Never a stack trace to a caller.
    send(res, { status: 500 });
  }
}

function readLimited(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > HOST_BODY_LIMIT) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, response: HttpResponseInit): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((response.headers as Record<string, string> | undefined) ?? {})) headers[name] = value;
  let payload: string | undefined;
  if (response.jsonBody !== undefined) {
    payload = JSON.stringify(response.jsonBody);
    headers['content-type'] ??= 'application/json';
  } else if (typeof response.body === 'string') {
    payload = response.body;
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(payload);
}
