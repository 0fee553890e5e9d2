/**
 * The sunset of the `onPasswordSubmit` event listener (docs/entra-contracts.md#listener: "remove the listener
 * when done"). Graph v1.0 (the JIT types are there since March 2026; the guide's examples still use `/beta`):
 * GET|PATCH|DELETE /identity/authenticationEventListeners/{id}, EventListener.ReadWrite.All; PATCH must carry
 * the listener's `@odata.type` (authenticationeventlistener-update).
 */
import { GraphError, JIT_OBJECTS_API_VERSION, type GraphClient } from '../../../lib/graph';
import { UsageError } from '../commands/args';
import type { MigrationProperty } from './migrationProperty';
import { isGuid } from '../../../lib/ids/guid';

const LISTENER_TYPE = '#microsoft.graph.onPasswordSubmitListener';
const API_VERSION = JIT_OBJECTS_API_VERSION;

export interface MigrationListener {
  readonly id: string;
  readonly displayName: string | null;
  readonly odataType: string;
  readonly includeAllApplications: boolean;
  /** Client app ids the listener runs for. */
  readonly applications: readonly string[];
}

export function checkListenerId(id: string | undefined, option: string): string {
  if (id === undefined || !isGuid(id.trim())) {
    throw new UsageError(`${option} takes the listener's id (a GUID): GET /identity/authenticationEventListeners lists them`);
  }
  return id.trim();
}

/**
 * Reads the listener and refuses anything but the migration listener for this flag: a wrong id must not delete
 * another listener. Undefined when Graph has no such listener: already deleted (a second `finish` run), or
 * a wrong id; either way there is nothing left to detach or delete.
 */
export async function getMigrationListener(client: GraphClient, id: string, property: MigrationProperty): Promise<MigrationListener | undefined> {
  let body: Record<string, unknown>;
  try {
    body = await client.get<Record<string, unknown>>(listenerPath(id), { apiVersion: API_VERSION });
  } catch (error) {
    if (error instanceof GraphError && error.status === 404) return undefined;
    throw error;
  }
  const odataType = String(body['@odata.type'] ?? '');
  if (odataType.replace(/^#?/, '#') !== LISTENER_TYPE) {
    throw new Error(`listener ${id} is a ${odataType || 'listener of unknown type'}, not the JIT migration listener (${LISTENER_TYPE}): check the id`);
  }
  const handler = (body.handler ?? {}) as { migrationPropertyId?: unknown };
  if (typeof handler.migrationPropertyId === 'string' && handler.migrationPropertyId.toLowerCase() !== property.name.toLowerCase()) {
    throw new Error(`listener ${id} migrates by ${handler.migrationPropertyId}, not ${property.name}: check the listener id and --migration-property`);
  }
  const applications = ((body.conditions ?? {}) as { applications?: { includeAllApplications?: unknown; includeApplications?: unknown } }).applications;
  const included = Array.isArray(applications?.includeApplications) ? (applications.includeApplications as Array<{ appId?: unknown }>) : [];
  return {
    id,
    displayName: typeof body.displayName === 'string' ? body.displayName : null,
    odataType,
    includeAllApplications: applications?.includeAllApplications === true,
    applications: included.map((entry) => String(entry.appId)),
  };
}

/** True when the listener runs for no application: detaching is done (a second run has nothing to PATCH). */
export function hasNoApplications(listener: MigrationListener): boolean {
  return !listener.includeAllApplications && listener.applications.length === 0;
}

/**
 * Detaches every application, keeping the listener (and its handler) for a later re-attach. Graph does not
 * document whether an empty list is accepted (the loopback emulator refuses it), so a refusal points to
 * deleting the listener instead. Call it only when `hasNoApplications` is false.
 */
export async function detachApplications(client: GraphClient, listener: MigrationListener): Promise<void> {
  const body = { '@odata.type': listener.odataType, conditions: { applications: { includeAllApplications: false, includeApplications: [] } } };
  try {
    await client.patch(listenerPath(listener.id), body, { apiVersion: API_VERSION });
  } catch (error) {
    if (error instanceof GraphError && error.status === 400) {
      throw new Error(`Graph refused to empty the application list of listener ${listener.id} (${error.message}): delete it instead with --delete-listener ${listener.id} --yes`);
    }
    throw error;
  }
}

/** True when deleted, false when it was already gone. */
export function deleteListener(client: GraphClient, id: string): Promise<boolean> {
  return client.delete(listenerPath(id), { apiVersion: API_VERSION, ignoreNotFound: true });
}

function listenerPath(id: string): string {
  return `/identity/authenticationEventListeners/${encodeURIComponent(id)}`;
}

/** What the operator is about to do to the users who never migrated, in words. */
export function sunsetConsequences(neverMigrated: number, action: 'remove-applications' | 'delete'): string {
  const undo =
    action === 'delete'
      ? 'Re-creating the listener (for example with the Pulumi program) resumes migration for them.'
      : 'Adding the applications back to the listener resumes migration for them.';
  if (neverMigrated === 0) return `Every flagged user has migrated: nobody is affected. ${undo}`;
  return (
    `${neverMigrated} user${neverMigrated === 1 ? ' is' : 's are'} still flagged for migration. Once Entra stops calling the function, ` +
    `their legacy password no longer works: their External ID password is the random one set when they were provisioned, ` +
    `so they must reset it with self-service password reset ("Forgot password?", email one-time passcode). ` +
    `Their flag stays true, which no longer matters. Use the report to tell them. ${undo}`
  );
}
