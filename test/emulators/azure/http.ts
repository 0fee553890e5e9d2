/**
 * HTTP plumbing shared by the loopback Azure emulators: a server on 127.0.0.1, body reading, JSON replies,
 * and a scripted fault queue (429 with Retry-After, 5xx, 409) that tests fill to exercise retries.
 * No jest imports: scripts and benchmarks may start these emulators too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatedRequest {
  method: string;
  url: URL;
  /** Decoded, non-empty path segments. */
  segments: string[];
  headers: Record<string, string>;
  body: Buffer;
}

export interface EmulatedResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialized unless it is a Buffer or a string. */
  body?: unknown;
}

export interface ScriptedFault {
  status: number;
  /** Only requests with this method (default: any). */
  method?: string;
  /** Only requests whose path (without query) matches (default: any). */
  path?: RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Adds `Retry-After: <seconds>` (throttling and 503 per Azure guidance). */
  retryAfterSeconds?: number;
  /**
   * Run the request normally, then answer with the fault instead of the real response: the service acted,
   * but the client never heard (a dropped connection or a gateway timeout after the fact).
   */
  afterHandling?: boolean;
  /** Error body override. */
  body?: unknown;
}

export class FaultScript {
  private readonly queue: (ScriptedFault & { left: number })[] = [];
  fired = 0;

  add(fault: ScriptedFault): void {
    this.queue.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The fault that applies to this request, consuming one of its uses. */
  take(method: string, path: string): ScriptedFault | undefined {
    const index = this.queue.findIndex((fault) => (!fault.method || fault.method === method) && (!fault.path || fault.path.test(path)));
    if (index < 0) return undefined;
    const fault = this.queue[index]!;
    fault.left--;
    if (fault.left <= 0) this.queue.splice(index, 1);
    this.fired++;
    return fault;
  }
}

export function faultResponse(fault: ScriptedFault, defaultBody: (status: number) => unknown): EmulatedResponse {
  return {
    status: fault.status,
    headers: fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
    body: fault.body ?? defaultBody(fault.status),
  };
}

export function bearerOf(headers: Record<string, string>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers['authorization'] ?? '');
  return match?.[1];
}

export type Handler = (request: EmulatedRequest) => Promise<EmulatedResponse>;

/** A started loopback server; `origin` is `http://127.0.0.1:PORT`. */
export class LoopbackServer {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(handler: Handler, onError: (error: unknown) => EmulatedResponse): Promise<LoopbackServer> {
    const server = createServer((incoming, outgoing) => void serve(incoming, outgoing, handler, onError));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new LoopbackServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

const MAX_BODY_BYTES = 256 * 1024 * 1024;

async function serve(incoming: IncomingMessage, outgoing: ServerResponse, handler: Handler, onError: (error: unknown) => EmulatedResponse): Promise<void> {
  let response: EmulatedResponse;
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new Error('request body too large');
      chunks.push(chunk as Buffer);
    }
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const segments = url.pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
    response = await handler({ method: (incoming.method ?? 'GET').toUpperCase(), url, segments, headers, body: Buffer.concat(chunks) });
  } catch (error) {
    response = onError(error);
  }
  const { body } = response;
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const contentType = body === undefined ? {} : { 'Content-Type': Buffer.isBuffer(body) || typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' };
  outgoing.writeHead(response.status, { ...contentType, ...response.headers, 'Content-Length': payload.length });
  outgoing.end(payload);
}
