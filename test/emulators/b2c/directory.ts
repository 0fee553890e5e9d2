/**
 * The stand-in's B2C directory: local accounts signed in by email, with the attributes the AAD provider reads
 * and writes. Extension attributes keep their full directory name (`extension_<appId without dashes>_<name>`),
 * so a policy that resolves them through the wrong b2c-extensions-app reads nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { B2C_MIGRATION_FLAG } from '../../../lib/b2c/contract';

export type ExtensionAttribute = `extension_${string}`;

export interface B2cUser {
  objectId: string;
  /** signInNames.emailAddress */
  email: string;
  password: string;
  userPrincipalName: string;
  passwordPolicies?: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  [extension: ExtensionAttribute]: string | boolean | undefined;
}

export type NewB2cUser = Omit<B2cUser, 'objectId' | 'userPrincipalName'> & { objectId?: string };

/** `extension_<appId without dashes>_<name>`: the directory name of a b2c-extensions-app attribute. */
export function extensionAttribute(extensionsAppId: string, name: string): ExtensionAttribute {
  return `extension_${extensionsAppId.replace(/-/g, '')}_${name}`;
}

export function migrationFlagAttribute(extensionsAppId: string): ExtensionAttribute {
  return extensionAttribute(extensionsAppId, B2C_MIGRATION_FLAG);
}

export class B2cDirectory {
  private readonly users = new Map<string, B2cUser>();

  constructor(readonly tenantDomain = 'standin.onmicrosoft.com') {}

  add(user: NewB2cUser): B2cUser {
    if (this.findByEmail(user.email) !== undefined) throw new Error(`the stand-in directory already has a user with that email`);
    const objectId = user.objectId ?? randomUUID();
    const created: B2cUser = { ...user, objectId, userPrincipalName: `${objectId}@${this.tenantDomain}` };
    this.users.set(objectId, created);
    return created;
  }

  /** A user `provision-users` would have created: migration flag set, a random password nobody knows. */
  addPreProvisioned(extensionsAppId: string, user: Omit<NewB2cUser, 'password'>): B2cUser {
    return this.add({ ...user, password: randomBytes(24).toString('base64url'), [migrationFlagAttribute(extensionsAppId)]: true });
  }

  get(objectId: string): B2cUser | undefined {
    return this.users.get(objectId);
  }

  findByEmail(email: string): B2cUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((user) => user.email.toLowerCase() === wanted);
  }

  all(): B2cUser[] {
    return [...this.users.values()];
  }
}
