/** The shape every legacy-export preset produces; import-legacy and provision-users both read it. */
import type { HashParams } from '../../../function/src/hashing';
import type { AccountStatus } from '../../../function/src/legacy';

export type PresetName = 'aspnet-identity' | 'django' | 'firebase' | 'keycloak' | 'generic' | 'b2c';

/** What the `b2c` preset keeps of an Azure AD B2C user (export-b2c's lines): the join key, the sign-in kind and the phone. */
export interface B2cAccount {
  /** The B2C user's object id, kept on the External ID user (`--b2c-object-id-property`). */
  readonly objectId: string;
  /** `userName`: a username identity (export-b2c --allow-usernames); else an email identity. */
  readonly signInType: 'emailAddress' | 'userName';
  /** As B2C stores it; normalized for Graph at plan time (provisioning/phoneNumber.ts). */
  readonly mobilePhone?: string;
}

/** Profile attributes mapped onto the Entra user (Graph property name → value). */
export type ProfileAttributes = Readonly<Record<string, string | number | boolean>>;

export interface ExportedUser {
  /** 1-based record number in the source (a CSV row, a JSON line, an array element), for reports and checkpoints. */
  readonly record: number;
  /** The normalized sign-in name (trimmed, NFKC, emails lower-cased): the legacy store key and the Entra identity. */
  readonly username: string;
  readonly email?: string;
  readonly displayName?: string;
  readonly givenName?: string;
  readonly surname?: string;
  /** Absent when the export has no usable hash (the user can still be provisioned; the legacy check then fails). */
  readonly hash?: string;
  readonly params?: HashParams;
  readonly status: AccountStatus;
  readonly mustChangePassword: boolean;
  readonly attributes: ProfileAttributes;
  /** Only from the `b2c` preset. */
  readonly b2c?: B2cAccount;
}

export type ExportRow =
  | { readonly ok: true; readonly user: ExportedUser }
  | { readonly ok: false; readonly record: number; readonly reason: string; readonly username?: string };

export interface ReadExportOptions {
  readonly preset: PresetName;
  /** Field-mapping overrides on top of the preset: target field → source column/path. */
  readonly mapping?: Readonly<Record<string, string>>;
  /** Firebase's project-level hash parameters (from the console's "Password hash parameters"), when the export lacks them. */
  readonly firebaseHashConfig?: Readonly<{ signerKey: string; saltSeparator: string; rounds: number; memCost: number }>;
}
