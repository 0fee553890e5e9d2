/**
 * Runs one user journey of a policy chain the way IEF does for local accounts: orchestration steps in order
 * (skipped by their preconditions), self-asserted pages that collect what the user types and then run their
 * validation technical profiles in order (each skippable by its preconditions, the first error ending the
 * journey on that page), the sign-up link (SignUpTarget), and the token (the relying party's output claims).
 * A page's validation profiles see the whole claims bag; only the page's own output claims go back to the journey.
 */
import { runAadProfile } from './aadProvider';
import { JWT_ISSUER_PROTOCOL, LOGIN_NON_INTERACTIVE, ROPC_PROTOCOL, SESSION_PROTOCOL } from './builtins';
import { applyOutputClaims, claimValue, preconditionApplies, runClaimsTransformation, type ClaimsBag } from './claims';
import type { B2cDirectory } from './directory';
import type { PolicyChain } from './policyChain';
import type { ProviderResult } from './providerResult';
import { runRestfulProfile, type RestCall, type RestfulOptions } from './restfulProvider';
import { B2cPolicyError, type TechnicalProfile } from './technicalProfile';

const SELF_ASSERTED = 'SelfAssertedAttributeProvider';
const RESTFUL = 'RestfulProvider';
const CLAIMS_TRANSFORMATION_ONLY = 'ClaimsTransformationProtocolProvider';
const PASSWORDS_DIFFER = 'The password entry fields do not match. Please enter the same password in both fields and try again.';

export interface ProfileRun {
  readonly id: string;
  readonly outcome: 'ran' | 'skipped' | 'failed';
  /** The self-asserted page whose validation profile this was. */
  readonly page?: string;
}

export interface JourneyTrace {
  readonly profiles: ProfileRun[];
  readonly restCalls: RestCall[];
}

export type JourneyOutcome =
  | { readonly ok: true; readonly objectId: string; readonly claims: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly page: string; readonly userMessage: string };

export type JourneyResult = JourneyOutcome & { readonly trace: JourneyTrace };

export interface JourneyInput {
  /** What the user types into whichever page asks for it, by claim type (email verification always succeeds). */
  readonly userInput: Readonly<Record<string, string>>;
  /** On the combined sign-in / sign-up page: sign in, or follow the sign-up link. */
  readonly choice: 'signIn' | 'signUp';
}

export interface JourneyContext {
  readonly chain: PolicyChain;
  readonly directory: B2cDirectory;
  readonly restful: RestfulOptions;
}

type StepOutcome = { readonly ok: true } | { readonly ok: false; readonly page: string; readonly userMessage: string };

export async function runJourney(context: JourneyContext, input: JourneyInput): Promise<JourneyResult> {
  const trace: JourneyTrace = { profiles: [], restCalls: [] };
  const run = new JourneyRun(context, input, trace);
  return { ...(await run.steps()), trace };
}

class JourneyRun {
  private readonly bag: ClaimsBag = new Map();

  constructor(
    private readonly context: JourneyContext,
    private readonly input: JourneyInput,
    private readonly trace: JourneyTrace,
  ) {}

  async steps(): Promise<JourneyOutcome> {
    const { chain } = this.context;
    const steps = chain.journey(chain.relyingParty.defaultUserJourney);
    let signUpTarget: string | undefined;
    for (const step of steps) {
      if (step.preconditions.some((precondition) => preconditionApplies(precondition, this.bag, 'SkipThisOrchestrationStep'))) continue;
      let profileId: string;
      switch (step.type) {
        case 'CombinedSignInAndSignUp': {
          const exchangeId = step.validationClaimsExchangeIds[0];
          const signInProfile = exchangeId === undefined ? undefined : step.claimsExchanges.get(exchangeId);
          if (signInProfile === undefined) throw new B2cPolicyError(`step ${step.order}: CombinedSignInAndSignUp needs a ClaimsProviderSelection whose ValidationClaimsExchangeId names a ClaimsExchange of the step`);
          if (this.input.choice === 'signUp') {
            signUpTarget = chain.profile(signInProfile).metadata.get('SignUpTarget');
            const target = signUpTarget;
            if (target === undefined || !steps.some((later) => later.order > step.order && later.claimsExchanges.has(target))) {
              throw new B2cPolicyError(`${signInProfile}: SignUpTarget ${target ?? '(none)'} names no ClaimsExchange of a later step`);
            }
            this.trace.profiles.push({ id: signInProfile, outcome: 'skipped' });
            continue;
          }
          profileId = signInProfile;
          break;
        }
        case 'ClaimsExchange': {
          const chosen = signUpTarget !== undefined ? step.claimsExchanges.get(signUpTarget) : undefined;
          const only = step.claimsExchanges.size === 1 ? [...step.claimsExchanges.values()][0] : undefined;
          if (chosen === undefined && only === undefined) throw new B2cPolicyError(`step ${step.order}: which ClaimsExchange runs is not decided (the stand-in models one per step, or the SignUpTarget)`);
          if (chosen !== undefined) signUpTarget = undefined;
          profileId = (chosen ?? only)!;
          break;
        }
        case 'SendClaims':
          return this.issueToken(step.cpimIssuerProfileId);
        default:
          throw new B2cPolicyError(`step ${step.order}: orchestration step type ${step.type} is not modelled by the stand-in`);
      }
      const outcome = await this.claimsExchange(profileId);
      if (!outcome.ok) return outcome;
    }
    throw new B2cPolicyError(`journey ${chain.relyingParty.defaultUserJourney} ends without a SendClaims step`);
  }

  private async claimsExchange(profileId: string): Promise<StepOutcome> {
    const profile = this.context.chain.profile(profileId);
    if (profile.protocol?.handler?.includes(SELF_ASSERTED)) return this.page(profile);
    const result = await this.runProfile(profile, this.bag);
    return result.ok ? { ok: true } : { ok: false, page: profileId, userMessage: result.userMessage };
  }

  /** A self-asserted page: collect, validate in order, hand the page's output claims to the journey. */
  private async page(profile: TechnicalProfile): Promise<StepOutcome> {
    const pageBag: ClaimsBag = new Map(this.bag);
    const failed = (userMessage: string): StepOutcome => {
      this.trace.profiles.push({ id: profile.id, outcome: 'failed' });
      return { ok: false, page: profile.id, userMessage };
    };
    for (const ref of profile.inputClaims) {
      const value = claimValue(ref, this.bag);
      // A claim resolver ({OIDC:LoginHint}) resolves to nothing here: no hint is passed.
      if (value !== undefined && !/^\{.*\}$/.test(value)) pageBag.set(ref.claim, value);
    }
    for (const ref of profile.outputClaims) {
      const typed = this.input.userInput[ref.claim];
      if (typed !== undefined) pageBag.set(ref.claim, typed);
      else if (ref.required && !pageBag.has(ref.claim)) return failed(`${ref.claim} is required on this page, and the user has nothing to enter there`);
    }
    const newPassword = pageBag.get('newPassword');
    if (newPassword !== undefined && pageBag.has('reenterPassword') && pageBag.get('reenterPassword') !== newPassword) return failed(PASSWORDS_DIFFER);
    this.transform(profile.inputClaimsTransformations, pageBag);

    for (const vtp of profile.validationProfiles) {
      if (vtp.preconditions.some((precondition) => preconditionApplies(precondition, pageBag, 'SkipThisValidationTechnicalProfile'))) {
        this.trace.profiles.push({ id: vtp.referenceId, outcome: 'skipped', page: profile.id });
        continue;
      }
      const result = await this.runProfile(this.context.chain.profile(vtp.referenceId), pageBag, profile.id);
      if (!result.ok && !vtp.continueOnError) return failed(result.userMessage);
    }
    applyOutputClaims(profile.outputClaims.filter((ref) => ref.defaultValue !== undefined && !pageBag.has(ref.claim)), new Map(), pageBag);
    this.transform(profile.outputClaimsTransformations, pageBag);
    for (const ref of profile.outputClaims) {
      const value = pageBag.get(ref.claim);
      if (value !== undefined) this.bag.set(ref.claim, value);
    }
    this.trace.profiles.push({ id: profile.id, outcome: 'ran' });
    return { ok: true };
  }

  /** Any non-page profile: input transformations, the provider, output claims, output transformations. */
  private async runProfile(profile: TechnicalProfile, bag: ClaimsBag, page?: string): Promise<ProviderResult> {
    this.transform(profile.inputClaimsTransformations, bag);
    const result = await this.provider(profile, bag);
    this.trace.profiles.push({ id: profile.id, outcome: result.ok ? 'ran' : 'failed', ...(page === undefined ? {} : { page }) });
    if (!result.ok) return result;
    applyOutputClaims(profile.outputClaims, result.answer, bag);
    this.transform(profile.outputClaimsTransformations, bag);
    return result;
  }

  private provider(profile: TechnicalProfile, bag: ClaimsBag): ProviderResult | Promise<ProviderResult> {
    const { protocol } = profile;
    if (protocol?.handler?.includes('AzureActiveDirectoryProvider')) return runAadProfile(profile, bag, this.context.directory);
    if (protocol?.handler?.includes(RESTFUL)) return runRestfulProfile(profile, bag, this.context.restful, (call) => this.trace.restCalls.push(call));
    if (protocol?.handler?.includes(CLAIMS_TRANSFORMATION_ONLY)) return { ok: true, answer: new Map() };
    if (protocol?.name === ROPC_PROTOCOL && profile.id === LOGIN_NON_INTERACTIVE) return this.resourceOwnerPasswordCredentials(profile, bag);
    if (protocol?.name === SESSION_PROTOCOL || protocol?.name === JWT_ISSUER_PROTOCOL) throw new B2cPolicyError(`${profile.id} cannot run as a claims exchange`);
    throw new B2cPolicyError(`${profile.id}: protocol ${protocol?.name ?? '(none)'} ${protocol?.handler ?? ''} is not modelled by the stand-in`);
  }

  /** login-NonInteractive: B2C's ROPC call against its own directory, with its two sign-in errors. */
  private resourceOwnerPasswordCredentials(profile: TechnicalProfile, bag: ClaimsBag): ProviderResult {
    const sent = new Map(profile.inputClaims.flatMap((ref) => {
      const value = claimValue(ref, bag);
      return value === undefined ? [] : [[ref.partner, value] as const];
    }));
    const user = this.context.directory.findByEmail(sent.get('username') ?? '');
    if (user === undefined) return { ok: false, userMessage: "We can't seem to find your account" };
    if (!this.context.directory.checkPassword(user.objectId, sent.get('password') ?? '')) return { ok: false, userMessage: 'Your password is incorrect' };
    const claims: [string, string | undefined][] = [
      ['oid', user.objectId],
      ['upn', user.userPrincipalName],
      ['name', user.displayName],
      ['given_name', user.givenName],
      ['family_name', user.surname],
    ];
    return { ok: true, answer: new Map(claims.filter((entry): entry is [string, string] => entry[1] !== undefined)) };
  }

  private transform(ids: readonly string[], bag: ClaimsBag): void {
    for (const id of ids) runClaimsTransformation(this.context.chain.claimsTransformation(id), bag);
  }

  /** SendClaims: the relying party's output claims under their PartnerClaimType; `sub` is the subject. */
  private issueToken(issuerId: string | undefined): JourneyOutcome {
    const { chain } = this.context;
    if (issuerId === undefined) throw new B2cPolicyError('a SendClaims step has no CpimIssuerTechnicalProfileReferenceId');
    if (chain.profile(issuerId).protocol?.name !== JWT_ISSUER_PROTOCOL) throw new B2cPolicyError(`${issuerId} is not a token issuer`);
    const claims: Record<string, string> = {};
    for (const ref of chain.relyingParty.profile.outputClaims) {
      const value = claimValue(ref, this.bag);
      if (value !== undefined) claims[ref.partner] = value;
    }
    const subject = claims.sub;
    if (subject === undefined) return { ok: false, page: issuerId, userMessage: 'the token has no subject (no objectId reached the relying party)' };
    this.trace.profiles.push({ id: issuerId, outcome: 'ran' });
    return { ok: true, objectId: subject, claims };
  }
}
