/** Node HTTP plumbing for the emulator: URL and body parsing, and writing a response in Graph's format. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, EmulatorError, type EmulatedResponse } from './protocol';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function parseRequestUrl(target: string, origin: string): URL {
  // A path like "//v1.0/users" would otherwise parse as a host name.
  if (!target.startsWith('/') || target.startsWith('//')) throw badRequest(`Invalid request URL: ${target.split('?')[0]}`, 'BadRequest');
  return new URL(target, origin);
}

export function splitPath(path: string): string[] {
  try {
    return path.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  } catch {
    throw badRequest('The request URL is not correctly percent-encoded.', 'BadRequest');
  }
}

/** `application/xml` or `text/xml`: bodies the trustFramework policy routes take as text. */
export const isXmlContentType = (contentType: string | undefined): boolean => /^\s*(application|text)\/xml\s*(;|$)/i.test(contentType ?? '');

export function parseJsonBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  const invalid = badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.', 'BadRequest');
  if (!contentType?.toLowerCase().includes('application/json')) throw invalid;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid;
  }
}

export async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new EmulatorError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function lowerCaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lower[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return lower;
}

export function contentTypeOf(response: EmulatedResponse): Record<string, string> {
  if (response.text !== undefined) return { 'Content-Type': response.contentType ?? 'text/plain' };
  return response.body === undefined ? {} : { 'Content-Type': JSON_CONTENT_TYPE };
}

export function writeResponse(outgoing: ServerResponse, response: EmulatedResponse): void {
  const payload = response.text ?? (response.body === undefined ? '' : JSON.stringify(response.body));
  outgoing.writeHead(response.status, { ...response.headers, ...contentTypeOf(response), 'Content-Length': Buffer.byteLength(payload) });
  outgoing.end(payload);
}
