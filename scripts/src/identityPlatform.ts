/**
 * Which kind of tenant a command works on: Microsoft Entra External ID (the default) or Azure AD B2C
 * (`--platform b2c`). The user shape (provisioning/userShape.ts) and the way users are counted
 * (operations/flagCounter.ts) are the only things that depend on it.
 */
import { UsageError } from './commands/args';

export type IdentityPlatform = 'externalId' | 'b2c';

export const PLATFORM_OPTION = { platform: { type: 'string' } } as const;

export const PLATFORM_HELP = `--platform externalId|b2c  the tenant's kind: externalId (Microsoft Entra External ID, the default)
                             or b2c (Azure AD B2C with the custom-policy migration)`;

/** `--platform`, exactly `externalId` or `b2c` (absent: externalId). */
export function platformOption(raw: string | undefined): IdentityPlatform {
  if (raw === undefined || raw === 'externalId' || raw === 'b2c') return raw ?? 'externalId';
  throw new UsageError(`--platform must be externalId (Microsoft Entra External ID, the default) or b2c (Azure AD B2C), got "${raw}"`);
}
