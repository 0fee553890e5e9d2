/**
 * CanNotDelete management locks (Learn "Lock your resources to protect your infrastructure"): the locked
 * resource can be read and changed, but nobody can delete it, nor the resource group around it, until the lock
 * is removed. Extension resources at its scope (role assignments, diagnostic settings) and its child resources
 * (tables, containers) inherit the lock: ARM refuses to delete them too. So a lock depends on everything under
 * its scope: it is created last and, on `pulumi destroy`, deleted first.
 */
import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';

/** The lock's name on every locked resource (ARM: at most 90 characters, no < > * % & : \ ? / +). */
export const DELETE_LOCK_NAME = 'jit-migration-do-not-delete';

export interface DeleteLockArgs {
  /** ARM id of the resource to lock. */
  scope: pulumi.Input<string>;
  /** Why, for whoever meets the lock in the portal or in an error (at most 512 characters). */
  notes: string;
  /** Everything under `scope` the program manages: the lock waits for them, and goes before them on destroy. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
  /** The component the lock belongs to (JitMigration); undefined = the stack's root. */
  parent?: pulumi.Resource;
}

export function lockAgainstDeletion(resourceName: string, args: DeleteLockArgs): authorization.ManagementLockByScope {
  if (args.notes.length > 512) throw new Error(`lockAgainstDeletion: notes are ${args.notes.length} characters; ARM takes at most 512`);
  return new authorization.ManagementLockByScope(
    resourceName,
    { scope: args.scope, lockName: DELETE_LOCK_NAME, level: authorization.LockLevel.CanNotDelete, notes: args.notes },
    { dependsOn: args.dependsOn, parent: args.parent },
  );
}
