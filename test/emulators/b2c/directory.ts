/**
 * The stand-in's B2C directory, as a port: what its AAD technical profiles and login-NonInteractive need of
 * B2C's directory (local accounts signed in by email, read by objectId, created, updated with the persisted
 * claims, a password check). Two adapters: `InMemoryB2cDirectory` here, and `GraphEmulatorB2cDirectory`
 * (graphDirectory.ts) over the Graph emulator's users, so what a journey writes is what Graph then reads.
 * Extension attributes keep their full directory name (`extension_<appId without dashes>_<name>`), so a
 * policy that resolves them through the wrong b2c-extensions-app reads nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { B2C_MIGRATION_FLAG } from '../../../lib/b2c/contract';

export type ExtensionAttribute = `extension_${string}`;

/** An account as the directory returns it: never its password (B2C and Graph never return one). */
export interface B2cUser {
  objectId: string;
  /** signInNames.emailAddress */
  email: string;
  userPrincipalName: string;
  passwordPolicies?: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  [extension: ExtensionAttribute]: string | boolean | undefined;
}

export type NewB2cUser = Omit<B2cUser, 'objectId' | 'userPrincipalName'> & { password: string };

/** Persisted claims written onto an existing account. */
export type B2cUserChanges = Partial<NewB2cUser>;

export interface B2cDirectory {
  /** The tenant's *.onmicrosoft.com domain: issuer of local accounts, suffix of their userPrincipalName. */
  readonly tenantDomain: string;
  get(objectId: string): B2cUser | undefined;
  /** The local account signing in with this email (any case). */
  findByEmail(email: string): B2cUser | undefined;
  findByUserPrincipalName(userPrincipalName: string): B2cUser | undefined;
  /** A new local account; throws when its email is taken. */
  create(user: NewB2cUser): B2cUser;
  /** Writes `changes` onto the account and returns it as stored afterwards. */
  update(objectId: string, changes: B2cUserChanges): B2cUser;
  /** login-NonInteractive: does this password sign the account in. */
  checkPassword(objectId: string, password: string): boolean;
  all(): B2cUser[];
}

/** `extension_<appId without dashes>_<name>`: the directory name of a b2c-extensions-app attribute. */
export function extensionAttribute(extensionsAppId: string, name: string): ExtensionAttribute {
  return `extension_${extensionsAppId.replace(/-/g, '')}_${name}`;
}

export function migrationFlagAttribute(extensionsAppId: string): ExtensionAttribute {
  return extensionAttribute(extensionsAppId, B2C_MIGRATION_FLAG);
}

/** A user as `provision-users` makes one: migration flag set, a random password nobody knows. */
export function addPreProvisioned(directory: B2cDirectory, extensionsAppId: string, user: Omit<NewB2cUser, 'password'>): B2cUser {
  // Random; the prefix meets the strong-password rule whatever the random part holds (the Graph adapter checks it).
  return directory.create({ ...user, password: `Aa1-${randomBytes(24).toString('base64url')}`, [migrationFlagAttribute(extensionsAppId)]: true });
}

interface StoredUser {
  readonly user: B2cUser;
  password: string;
}

/** The stand-in's own directory, in memory. */
export class InMemoryB2cDirectory implements B2cDirectory {
  private readonly users = new Map<string, StoredUser>();

  constructor(readonly tenantDomain = 'standin.onmicrosoft.com') {}

  get(objectId: string): B2cUser | undefined {
    const stored = this.users.get(objectId);
    return stored === undefined ? undefined : { ...stored.user };
  }

  findByEmail(email: string): B2cUser | undefined {
    const wanted = email.toLowerCase();
    return this.all().find((user) => user.email.toLowerCase() === wanted);
  }

  findByUserPrincipalName(userPrincipalName: string): B2cUser | undefined {
    const wanted = userPrincipalName.toLowerCase();
    return this.all().find((user) => user.userPrincipalName.toLowerCase() === wanted);
  }

  create(user: NewB2cUser): B2cUser {
    if (this.findByEmail(user.email) !== undefined) throw new Error('the stand-in directory already has a user with that email');
    const { password, ...fields } = user;
    const objectId = randomUUID();
    this.users.set(objectId, { user: { ...fields, objectId, userPrincipalName: `${objectId}@${this.tenantDomain}` }, password });
    return this.get(objectId)!;
  }

  update(objectId: string, changes: B2cUserChanges): B2cUser {
    const stored = this.users.get(objectId);
    if (stored === undefined) throw new Error(`the stand-in directory has no user ${objectId}`);
    const { password, ...fields } = changes;
    Object.assign(stored.user, fields);
    if (password !== undefined) stored.password = password;
    return this.get(objectId)!;
  }

  checkPassword(objectId: string, password: string): boolean {
    return this.users.get(objectId)?.password === password;
  }

  all(): B2cUser[] {
    return [...this.users.values()].map((stored) => ({ ...stored.user }));
  }
}
