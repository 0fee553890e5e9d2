/**
 * MFA continuity (`--mfa-methods`): which of a B2C user's authentication methods are registered on the new
 * External ID user, and with what value. The mobile phone goes to `phoneMethods` as `mobile`, normalized to
 * Graph's `+{country code} {number}` (phoneNumber.ts; a number no rule can place is reported, not sent); the
 * sign-in email, which B2C verified at sign-up, goes to `emailMethods` (b2c-to-external-id.md section 5).
 * Username accounts have no verified email, so no email method.
 */
import type { ExportedUser } from '../legacyExport/types';
import type { ValueChange } from './errorReport';
import { normalizePhoneNumber } from './phoneNumber';
import type { MfaMethod } from './target';

export interface PlannedMethods {
  readonly phone?: string;
  readonly email?: string;
}

export function planMethods(user: ExportedUser, signInEmail: string | undefined, wanted: readonly MfaMethod[] | undefined): { planned?: PlannedMethods; change?: ValueChange } {
  if (wanted === undefined || wanted.length === 0) return {};
  let phone: string | undefined;
  let change: ValueChange | undefined;
  const mobilePhone = user.b2c?.mobilePhone;
  if (wanted.includes('phone') && mobilePhone !== undefined) {
    const parsed = normalizePhoneNumber(mobilePhone);
    if (parsed.ok) phone = parsed.phoneNumber;
    else change = { code: 'unparseable-phone', reason: `${parsed.reason}; the user is created without a phone method` };
  }
  const email = wanted.includes('email') ? signInEmail : undefined;
  const planned = phone === undefined && email === undefined ? undefined : { ...(phone === undefined ? {} : { phone }), ...(email === undefined ? {} : { email }) };
  return { planned, change };
}

/** The methods of `planned` not yet in `done`, in a fixed order (the phone first). */
export function methodsLeft(planned: PlannedMethods | undefined, done: readonly MfaMethod[] = []): Array<{ method: MfaMethod; value: string }> {
  const left: Array<{ method: MfaMethod; value: string }> = [];
  if (planned?.phone !== undefined && !done.includes('phone')) left.push({ method: 'phone', value: planned.phone });
  if (planned?.email !== undefined && !done.includes('email')) left.push({ method: 'email', value: planned.email });
  return left;
}
