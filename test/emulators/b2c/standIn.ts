/**
 * A local Azure AD B2C for the generated custom policies: it reads the policy files and runs B2C's three
 * local-account journeys (sign-in, sign-up, password reset) exactly as they say, calling the function's B2C
 * endpoints over loopback, against a directory (directory.ts: its own, or the Graph emulator's). A mismatch
 * between the XML and the API (a wrong path, a renamed claim, a missing output) fails here as it would in the tenant.
 */
import { B2C_LAYER_JOURNEYS } from '../../../lib/b2c/policies';
import { InMemoryB2cDirectory, type B2cDirectory } from './directory';
import { runJourney, type JourneyInput, type JourneyResult } from './journey';
import { PolicyChain } from './policyChain';
import type { RestfulOptions, TokenRequest } from './restfulProvider';

/** B2C's timeout for a REST technical profile. */
export const B2C_REQUEST_TIMEOUT_MS = 10_000;

export interface B2cStandInOptions {
  /** The generated files (`generateB2cPolicies(...).files`) or their XML texts; the starter-pack base is built in. */
  readonly policies: readonly (string | { readonly xml: string })[];
  /** Policy key name (StorageReferenceId) → value; a client certificate as PEM or base64 DER. */
  readonly policyKeys: Readonly<Record<string, string>>;
  /** Maps a ServiceUrl onto where the function listens (keep the path); see `loopbackServiceUrl`. Default: unchanged. */
  readonly serviceUrlOverride?: (url: string) => string;
  /** Answers the bearer token profile's client-credentials request (login.microsoftonline.com) with an access token. */
  readonly tokenEndpoint?: (request: TokenRequest) => string | Promise<string>;
  /** Default 10 s, as in B2C. */
  readonly requestTimeoutMs?: number;
  /** Default: an empty in-memory directory; `GraphEmulatorB2cDirectory` runs the journeys against the Graph emulator's users. */
  readonly directory?: B2cDirectory;
}

export interface SignUpProfile {
  readonly displayName?: string;
  readonly givenName?: string;
  readonly surname?: string;
}

export class B2cStandIn {
  readonly directory: B2cDirectory;
  private readonly signUpOrSignIn: PolicyChain;
  private readonly passwordResetChain: PolicyChain;
  private readonly restful: RestfulOptions;

  /** Throws B2cPolicyError when the files do not form the two relying-party chains. */
  constructor(options: B2cStandInOptions) {
    const files = PolicyChain.parseFiles(options.policies.map((policy) => (typeof policy === 'string' ? policy : policy.xml)));
    this.signUpOrSignIn = new PolicyChain(files, B2C_LAYER_JOURNEYS.signUpOrSignIn);
    this.passwordResetChain = new PolicyChain(files, B2C_LAYER_JOURNEYS.passwordReset);
    this.directory = options.directory ?? new InMemoryB2cDirectory();
    this.restful = {
      policyKeys: options.policyKeys,
      serviceUrlOverride: options.serviceUrlOverride ?? ((url) => url),
      ...(options.tokenEndpoint === undefined ? {} : { tokenEndpoint: options.tokenEndpoint }),
      requestTimeoutMs: options.requestTimeoutMs ?? B2C_REQUEST_TIMEOUT_MS,
    };
  }

  /** The sign-in page of the sign-up-or-sign-in policy. */
  signIn(email: string, password: string): Promise<JourneyResult> {
    return this.run(this.signUpOrSignIn, { choice: 'signIn', userInput: { signInName: email, password } });
  }

  /** The sign-up link of the sign-up-or-sign-in policy; the email counts as verified. */
  signUp(email: string, password: string, profile: SignUpProfile = {}): Promise<JourneyResult> {
    return this.run(this.signUpOrSignIn, { choice: 'signUp', userInput: { email, newPassword: password, reenterPassword: password, ...profile } });
  }

  /** The password-reset policy; the email counts as verified. */
  passwordReset(email: string, newPassword: string): Promise<JourneyResult> {
    return this.run(this.passwordResetChain, { choice: 'signIn', userInput: { email, newPassword, reenterPassword: newPassword } });
  }

  private run(chain: PolicyChain, input: JourneyInput): Promise<JourneyResult> {
    return runJourney({ chain, directory: this.directory, restful: this.restful }, input);
  }
}

/** A serviceUrlOverride that sends every ServiceUrl to `origin` (e.g. `http://127.0.0.1:7071`), path and query kept. */
export function loopbackServiceUrl(origin: string): (url: string) => string {
  const target = new URL(origin);
  return (url) => {
    const parsed = new URL(url);
    return new URL(`${parsed.pathname}${parsed.search}`, target).toString();
  };
}
