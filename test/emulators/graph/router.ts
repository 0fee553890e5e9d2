/**
 * Route table: `users/:id` style patterns matched against decoded path segments (literal segments ignore
 * case, as Graph's do), each with the application permissions that allow it (Graph permissions reference;
 * README.md#what-the-deploying-identity-needs).
 */
import type { Directory } from './directory';
import { EmulatorError, type EmulatedRequest, type EmulatedResponse } from './protocol';

export interface HandlerContext {
  directory: Directory;
}

export type Handler = (context: HandlerContext, request: EmulatedRequest, params: Record<string, string>) => EmulatedResponse;

export interface Route {
  method: string;
  pattern: string;
  /** Any one of these grants the request. */
  permissions: readonly string[];
  handler: Handler;
}

export const PERMISSIONS = {
  usersRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  usersWrite: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  applicationsRead: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  applicationsWrite: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  appRoleAssignmentsWrite: ['AppRoleAssignment.ReadWrite.All'],
  extensionsRead: ['CustomAuthenticationExtension.Read.All', 'CustomAuthenticationExtension.ReadWrite.All'],
  extensionsWrite: ['CustomAuthenticationExtension.ReadWrite.All'],
  listenersRead: ['EventListener.Read.All', 'EventListener.ReadWrite.All'],
  listenersWrite: ['EventListener.ReadWrite.All'],
  trustFrameworkPoliciesRead: ['Policy.Read.All', 'Policy.ReadWrite.TrustFramework'],
  trustFrameworkPoliciesWrite: ['Policy.ReadWrite.TrustFramework'],
  trustFrameworkKeySetsRead: ['TrustFrameworkKeySet.Read.All', 'TrustFrameworkKeySet.ReadWrite.All'],
  trustFrameworkKeySetsWrite: ['TrustFrameworkKeySet.ReadWrite.All'],
  userFlowsRead: ['IdentityUserFlow.Read.All', 'IdentityUserFlow.ReadWrite.All'],
  userFlowsWrite: ['IdentityUserFlow.ReadWrite.All'],
} as const;

export function route(method: string, pattern: string, permissions: readonly string[], handler: Handler): Route {
  return { method, pattern, permissions, handler };
}

export function matchRoute(routes: readonly Route[], method: string, segments: string[]): { route: Route; params: Record<string, string> } {
  let pathMatched = false;
  for (const candidate of routes) {
    const params = matchPattern(candidate.pattern, segments);
    if (!params) continue;
    pathMatched = true;
    if (candidate.method === method) return { route: candidate, params };
  }
  if (pathMatched) throw new EmulatorError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
  throw new EmulatorError(400, 'BadRequest', `Resource not found for the segment '${segments[0] ?? ''}'.`);
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] as string;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part.toLowerCase() !== segment.toLowerCase()) return undefined;
  }
  return params;
}
