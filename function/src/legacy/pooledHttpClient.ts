/**
 * Outbound POSTs for the legacy adapters that call a service over HTTPS (the legacy web service, the B2C
 * tenant's ROPC endpoint): kept-alive pools, no redirects, a bounded answer, abort by signal.
 */
import http from 'node:http';
import https from 'node:https';
import { LegacySystemError } from './port';

/** Answers are a few KB at most (B2C's tokens); anything much larger is not a contract answer and is not read further. */
export const MAX_RESPONSE_BYTES = 16 * 1024;

export interface PostedAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * A connection that was reset before any byte of the answer arrived, on a kept-alive socket the pool reused:
 * the server had dropped the idle connection as we wrote on it (Node's documented case for one retry,
 * `request.reusedSocket`), so it did not act on the request.
 */
export class ReusedConnectionReset extends Error {
  override readonly name = 'ReusedConnectionReset';
  readonly code: string;
  constructor(code: string) {
    super('a kept-alive connection was reset before any answer');
    this.code = code;
  }
}

export class PooledHttpClient {
  /**
   * One keep-alive pool per protocol, so a warm instance pays the TCP and TLS handshakes once, not per
   * sign-in. LIFO hands out the most recently used socket: sequential sign-ins share one connection and surplus
   * sockets idle out. Node honours the server's `Keep-Alive: timeout` hint and unrefs idle sockets.
   */
  private readonly agents = new Map<string, http.Agent>();

  /**
   * One POST on the pooled agent. node:http never follows redirects (following one would resend the password to
   * wherever `Location` points), and at most MAX_RESPONSE_BYTES of the answer are read. `label` names the service
   * in errors; messages never carry the request or the answer.
   */
  post(url: URL, headers: Readonly<Record<string, string>>, body: string, signal: AbortSignal, label: string): Promise<PostedAnswer> {
    const { transport, agent } = this.agentFor(url.protocol);
    return new Promise((resolve, reject) => {
      let answered = false;
      const request = transport.request(url, { method: 'POST', agent, signal, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
        answered = true;
        const tooLarge = (): void => {
          response.destroy();
          reject(new LegacySystemError(`${label}: the answer is larger than ${MAX_RESPONSE_BYTES} bytes`));
        };
        if (Number(response.headers['content-length'] ?? '0') > MAX_RESPONSE_BYTES) return tooLarge();
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) return tooLarge();
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete) reject(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
        });
      });
      request.on('error', (error: Error & { code?: string }) => {
        const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
        reject(reset && request.reusedSocket && !answered && !signal.aborted ? new ReusedConnectionReset(error.code!) : error);
      });
      request.end(body);
    });
  }

  /** Closes the kept-alive connections (shutdown, tests). */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
  }

  private agentFor(protocol: string): { transport: typeof http | typeof https; agent: http.Agent } {
    const transport = protocol === 'https:' ? https : http;
    let agent = this.agents.get(protocol);
    if (!agent) {
      agent = new transport.Agent({ keepAlive: true, scheduling: 'lifo', maxSockets: 256 });
      this.agents.set(protocol, agent);
    }
    return { transport, agent };
  }
}

/** The code of a socket error (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED …), sometimes on a wrapped cause. */
export function networkCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return 'network error';
}
