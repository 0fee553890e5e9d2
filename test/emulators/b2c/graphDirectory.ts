/**
 * The stand-in's directory port over the Graph emulator's users (start it with `platform: 'b2c'`): B2C keeps one
 * directory behind its policies and Graph, and so does this adapter, in-process. The accounts `provision-users
 * --platform b2c` made through Graph are the ones the journeys sign in, and a journey's password write, flag
 * clear or account creation is what Graph (status, reconcile) reads next. Writes go through the emulator's
 * POST/PATCH /users checks (a value Graph would refuse fails here too); only local accounts with an
 * `emailAddress` identity are B2C users to the stand-in.
 */
import type { GraphEmulator } from '../graph';
import type { Json } from '../graph/protocol';
import type { B2cDirectory, B2cUser, B2cUserChanges, ExtensionAttribute, NewB2cUser } from './directory';

const EMAIL_SIGN_IN = 'emailAddress';
const STRING_FIELDS = ['passwordPolicies', 'displayName', 'givenName', 'surname'] as const;

export class GraphEmulatorB2cDirectory implements B2cDirectory {
  constructor(private readonly graph: GraphEmulator) {}

  get tenantDomain(): string {
    return this.graph.tenantDomain;
  }

  get(objectId: string): B2cUser | undefined {
    const user = this.graph.users.get(objectId);
    return user === undefined ? undefined : asB2cUser(user);
  }

  findByEmail(email: string): B2cUser | undefined {
    const wanted = email.toLowerCase();
    return this.all().find((user) => user.email.toLowerCase() === wanted);
  }

  findByUserPrincipalName(userPrincipalName: string): B2cUser | undefined {
    const wanted = userPrincipalName.toLowerCase();
    return this.all().find((user) => user.userPrincipalName.toLowerCase() === wanted);
  }

  /** B2C makes the userPrincipalName (`<objectId>@<tenant domain>`); the email is the sign-in identity. */
  create(user: NewB2cUser): B2cUser {
    const { password, email, ...fields } = user;
    const created = this.graph.createUserDirectly({
      accountEnabled: true,
      ...definedValues(fields),
      identities: [{ signInType: EMAIL_SIGN_IN, issuer: this.tenantDomain, issuerAssignedId: email }],
      passwordProfile: { password, forceChangePasswordNextSignIn: false },
    });
    return this.get(String(created.id))!;
  }

  update(objectId: string, changes: B2cUserChanges): B2cUser {
    const { password, email, ...fields } = changes;
    const body: Json = definedValues(fields);
    if (password !== undefined) body.passwordProfile = { password, forceChangePasswordNextSignIn: false };
    const current = this.graph.users.get(objectId);
    if (email !== undefined && current !== undefined && asB2cUser(current)?.email.toLowerCase() !== email.toLowerCase()) {
      const identities = (current.identities as Json[]).filter((identity) => identity.signInType !== EMAIL_SIGN_IN);
      body.identities = [...identities, { signInType: EMAIL_SIGN_IN, issuer: this.tenantDomain, issuerAssignedId: email }];
    }
    this.graph.updateUserDirectly(objectId, body);
    const updated = this.get(objectId);
    if (updated === undefined) throw new Error(`the Graph emulator has no B2C local account ${objectId}`);
    return updated;
  }

  checkPassword(objectId: string, password: string): boolean {
    return this.graph.passwordMatches(objectId, password);
  }

  all(): B2cUser[] {
    return [...this.graph.users.values()].flatMap((user) => asB2cUser(user) ?? []);
  }
}

/** The stored Graph user as the stand-in sees it; undefined for a user without an email sign-in (not a B2C local account). */
function asB2cUser(user: Json): B2cUser | undefined {
  const identity = ((user.identities as Json[] | undefined) ?? []).find((candidate) => candidate.signInType === EMAIL_SIGN_IN);
  if (typeof identity?.issuerAssignedId !== 'string') return undefined;
  const view: B2cUser = { objectId: String(user.id), email: identity.issuerAssignedId, userPrincipalName: String(user.userPrincipalName) };
  for (const field of STRING_FIELDS) {
    const value = user[field];
    if (typeof value === 'string') view[field] = value;
  }
  for (const [name, value] of Object.entries(user)) {
    if (name.startsWith('extension_') && (typeof value === 'string' || typeof value === 'boolean')) view[name as ExtensionAttribute] = value;
  }
  return view;
}

function definedValues(fields: object): Json {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
