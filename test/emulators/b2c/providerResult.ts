/** What a provider hands back: its answer keyed by PartnerClaimType, or the message the page shows. */
export type ProviderResult = { readonly ok: true; readonly answer: ReadonlyMap<string, string> } | { readonly ok: false; readonly userMessage: string };

/** B2C stops the journey when a required input claim has no value (the policy did not carry it this far). */
export function missingRequiredClaim(profile: { readonly id: string }, claim: string): ProviderResult {
  return { ok: false, userMessage: `${profile.id}: required input claim ${claim} has no value` };
}
