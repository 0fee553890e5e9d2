/**
 * When a password set in Entra counts as set after the account was made. Provisioning writes a random
 * password as it creates the user, so `lastPasswordChangeDateTime` starts at about `createdDateTime`;
 * the two are written by separate parts of the directory and can differ by seconds. Only a change later
 * than this tolerance after creation means someone set a password since: self-service password reset,
 * an admin reset, or MigratePassword/UpdatePassword itself. The callout, `status` and `reconcile` share it.
 */
export const PASSWORD_SET_AT_CREATION_TOLERANCE_MS = 10 * 60_000;

/** The change time (ISO) when the password changed after creation, else undefined (also for unreadable values). */
export function passwordChangedAfterCreation(created: string | undefined, changed: string | undefined): string | undefined {
  if (created === undefined || changed === undefined) return undefined;
  const [createdAt, changedAt] = [Date.parse(created), Date.parse(changed)];
  if (Number.isNaN(createdAt) || Number.isNaN(changedAt)) return undefined;
  return changedAt - createdAt > PASSWORD_SET_AT_CREATION_TOLERANCE_MS ? new Date(changedAt).toISOString() : undefined;
}
