/**
 * A loopback server that answers from a script, for the client behaviours the emulator can't produce on
 * demand: an HTTP-date `Retry-After`, a 5xx without `Retry-After`, a nextLink to another host, a hang.
 * It records every request it receives (the `authorization` header included: tests check where tokens go).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Script = ScriptedReply[] | ((request: RecordedRequest, index: number) => ScriptedReply);

export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(script: Script): Promise<ScriptedServer> {
    let scripted: ScriptedServer | undefined;
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const recorded: RecordedRequest = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
        const owner = scripted as ScriptedServer;
        owner.requests.push(recorded);
        const index = owner.requests.length - 1;
        const reply = typeof script === 'function' ? script(recorded, index) : (script[Math.min(index, script.length - 1)] as ScriptedReply);
        if (reply.hang) return;
        const payload = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        const contentType = reply.body === undefined ? {} : { 'Content-Type': typeof reply.body === 'string' ? 'text/plain' : 'application/json' };
        outgoing.writeHead(reply.status, { ...contentType, ...reply.headers });
        outgoing.end(payload);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    scripted = new ScriptedServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return scripted;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
