/**
 * The Pulumi resources backed by the Graph providers. Each passes `bundledProvider(name)` (../shim.ts), so the
 * state holds a small shim and the implementation comes from dist/infra/providers.cjs. Kept apart from the
 * provider modules so the bundle does not pull in the Pulumi SDK. Outputs are declared with `declare` and
 * passed as `undefined` inputs (azure-pulumi.md 6.3), so the engine fills them in.
 */
import * as pulumi from '@pulumi/pulumi';
import { JIT_OBJECTS_API_VERSION, type GraphApiVersion } from '../../../lib/graph/types';
import { bundledProvider } from '../shim';

const MODULE = 'graph';

interface GraphTargetArgs {
  /** The External ID tenant ID. */
  tenantId: pulumi.Input<string>;
  /** `https://graph.microsoft.com` or a national cloud's Graph URL. */
  graphBaseUrl: pulumi.Input<string>;
}

export interface GraphServicePrincipalArgs extends GraphTargetArgs {
  appId: pulumi.Input<string>;
}

/** Find-or-create; `pulumi destroy` never deletes it (`retainOnDelete`, and the provider's delete is a no-op). */
export class GraphServicePrincipal extends pulumi.dynamic.Resource {
  declare readonly appId: pulumi.Output<string>;
  declare readonly objectId: pulumi.Output<string>;
  declare readonly displayName: pulumi.Output<string>;

  constructor(name: string, args: GraphServicePrincipalArgs, opts: pulumi.CustomResourceOptions = {}) {
    const props = { ...args, objectId: undefined, displayName: undefined };
    super(bundledProvider('graphServicePrincipal'), name, props, { ...opts, retainOnDelete: true }, MODULE, 'ServicePrincipal');
  }
}

export interface GraphExtensionPropertyArgs extends GraphTargetArgs {
  /** Short name, e.g. `toBeMigrated`. */
  name: pulumi.Input<string>;
  /** Default `Boolean`. */
  dataType?: pulumi.Input<'Binary' | 'Boolean' | 'DateTime' | 'Integer' | 'LargeInteger' | 'String'>;
  /** Default `['User']`. */
  targetObjects?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * An extension property on the b2c-extensions-app. Always `retainOnDelete`: deleting the property would drop
 * every user's value, so `pulumi destroy` leaves it (and the provider's delete is a no-op besides).
 */
export class GraphExtensionProperty extends pulumi.dynamic.Resource {
  /** `extension_{b2c-extensions-app appId without hyphens}_{name}`. */
  declare readonly fullName: pulumi.Output<string>;
  declare readonly applicationObjectId: pulumi.Output<string>;
  declare readonly applicationAppId: pulumi.Output<string>;

  constructor(name: string, args: GraphExtensionPropertyArgs, opts: pulumi.CustomResourceOptions = {}) {
    const props = {
      dataType: 'Boolean',
      targetObjects: ['User'],
      ...args,
      fullName: undefined,
      applicationObjectId: undefined,
      applicationAppId: undefined,
    };
    super(bundledProvider('graphExtensionProperty'), name, props, { ...opts, retainOnDelete: true }, MODULE, 'ExtensionProperty');
  }
}

export interface CertificateArgs {
  base64Der: pulumi.Input<string>;
  notBefore: pulumi.Input<string>;
  expiresOn: pulumi.Input<string>;
  thumbprintHex: pulumi.Input<string>;
}

export interface GraphApplicationEncryptionKeyArgs extends GraphTargetArgs {
  applicationObjectId: pulumi.Input<string>;
  displayName: pulumi.Input<string>;
  certificate: pulumi.Input<CertificateArgs>;
  /** The certificate being rotated out, kept listed (but no longer the token encryption key); undefined when there is none. */
  previousCertificate?: pulumi.Input<CertificateArgs | undefined>;
}

/** Our `keyCredentials` entry (+ `tokenEncryptionKeyId`) on an application. */
export class GraphApplicationEncryptionKey extends pulumi.dynamic.Resource {
  declare readonly keyId: pulumi.Output<string>;
  declare readonly previousKeyId: pulumi.Output<string | undefined>;
  declare readonly tokenEncryptionKeyId: pulumi.Output<string>;

  constructor(name: string, args: GraphApplicationEncryptionKeyArgs, opts: pulumi.CustomResourceOptions = {}) {
    const props = { ...args, keyId: undefined, previousKeyId: undefined, tokenEncryptionKeyId: undefined };
    super(bundledProvider('graphApplicationEncryptionKey'), name, props, opts, MODULE, 'ApplicationEncryptionKey');
  }
}

export interface GraphCustomAuthenticationExtensionArgs extends GraphTargetArgs {
  /** Default `v1.0`; `beta` as the JIT guide's examples. Switching is no change: the object and its id stay. */
  apiVersion?: pulumi.Input<GraphApiVersion>;
  displayName: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  targetUrl: pulumi.Input<string>;
  resourceId: pulumi.Input<string>;
  /** 200–2000, default 2000. */
  timeoutInMilliseconds?: pulumi.Input<number>;
  /** 0 or 1, default 1. */
  maximumRetries?: pulumi.Input<number>;
}

/** An `onPasswordSubmitCustomExtension`; its `id` is the Graph object id. */
export class GraphCustomAuthenticationExtension extends pulumi.dynamic.Resource {
  declare readonly displayName: pulumi.Output<string>;
  declare readonly targetUrl: pulumi.Output<string>;
  declare readonly resourceId: pulumi.Output<string>;

  constructor(name: string, args: GraphCustomAuthenticationExtensionArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(bundledProvider('graphCustomAuthenticationExtension'), name, { apiVersion: JIT_OBJECTS_API_VERSION, description: '', ...args }, opts, MODULE, 'CustomAuthenticationExtension');
  }
}

export interface GraphEventListenerArgs extends GraphTargetArgs {
  /** As for the custom extension. */
  apiVersion?: pulumi.Input<GraphApiVersion>;
  displayName: pulumi.Input<string>;
  clientAppIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Default 500. */
  priority?: pulumi.Input<number>;
  migrationPropertyId: pulumi.Input<string>;
  customExtensionId: pulumi.Input<string>;
}

/** An `onPasswordSubmitListener`; its `id` is the Graph object id. */
export class GraphEventListener extends pulumi.dynamic.Resource {
  declare readonly clientAppIds: pulumi.Output<string[]>;

  constructor(name: string, args: GraphEventListenerArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(bundledProvider('graphEventListener'), name, { apiVersion: JIT_OBJECTS_API_VERSION, priority: 500, ...args }, opts, MODULE, 'EventListener');
  }
}

export interface GraphTrustFrameworkPolicyArgs extends GraphTargetArgs {
  /** `B2C_1A_…`: the document's `PolicyId`. */
  policyId: pulumi.Input<string>;
  /** The policy file. A plain input, so `pulumi preview --diff` shows the changed lines. */
  xml: pulumi.Input<string>;
}

/**
 * A B2C custom policy file, uploaded with `PUT /beta/trustFramework/policies/{id}/$value`. Upload order is
 * `dependsOn` (base, then the layer, then the relying parties); the provider never reorders.
 */
export class GraphTrustFrameworkPolicy extends pulumi.dynamic.Resource {
  declare readonly policyId: pulumi.Output<string>;
  /** Hex SHA-256 of the uploaded XML. */
  declare readonly sha256: pulumi.Output<string>;

  constructor(name: string, args: GraphTrustFrameworkPolicyArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(bundledProvider('graphTrustFrameworkPolicy'), name, { ...args, sha256: undefined }, opts, MODULE, 'TrustFrameworkPolicy');
  }
}

export interface GraphTrustFrameworkKeySetArgs extends GraphTargetArgs {
  /** The policy key name without `B2C_1A_` (B2C adds it), e.g. `JIT_ApiPassword`. */
  keySetId: pulumi.Input<string>;
  /** `sig` (Signature) or `enc` (Encryption), the portal's key usage. */
  use: pulumi.Input<'sig' | 'enc'>;
  /** A string secret (`uploadSecret`). Kept secret in state whether or not the caller marked it. */
  secret?: pulumi.Input<string>;
  /** A .pfx (`uploadPkcs12`), base-64, with its password; use must be `sig`. Kept secret in state. */
  pkcs12?: pulumi.Input<{ key: pulumi.Input<string>; password: pulumi.Input<string> }>;
}

/** The material B2C never returns, kept encrypted in state so `diff` can see a change (azure-pulumi.md 6.3). */
const KEY_SET_SECRET_OUTPUTS = ['secret', 'pkcs12'];

/** A B2C policy key (`/beta/trustFramework/keySets`); give exactly one of `secret` and `pkcs12`. A changed secret is a new upload. */
export class GraphTrustFrameworkKeySet extends pulumi.dynamic.Resource {
  /** With the `B2C_1A_` prefix: the `StorageReferenceId` the policies use. */
  declare readonly keySetId: pulumi.Output<string>;
  /** The active key's id. */
  declare readonly kid: pulumi.Output<string>;

  constructor(name: string, args: GraphTrustFrameworkKeySetArgs, opts: pulumi.CustomResourceOptions = {}) {
    const { secret, pkcs12, ...plain } = args;
    const props = {
      ...plain,
      ...(secret === undefined ? {} : { secret: pulumi.secret(secret) }),
      ...(pkcs12 === undefined ? {} : { pkcs12: pulumi.secret(pkcs12) }),
      kid: undefined,
    };
    const additionalSecretOutputs = [...new Set([...(opts.additionalSecretOutputs ?? []), ...KEY_SET_SECRET_OUTPUTS])];
    super(bundledProvider('graphTrustFrameworkKeySet'), name, props, { ...opts, additionalSecretOutputs }, MODULE, 'TrustFrameworkKeySet');
  }
}

export interface GraphB2cUserFlowArgs extends GraphTargetArgs {
  /** `B2C_1_…` (the prefix is added when missing): the policy name the token endpoint takes. */
  userFlowId: pulumi.Input<string>;
  /** `resourceOwner` for ROPC. */
  userFlowType: pulumi.Input<'signUp' | 'signIn' | 'signUpOrSignIn' | 'passwordReset' | 'profileUpdate' | 'resourceOwner'>;
  userFlowTypeVersion: pulumi.Input<number>;
}

/** An Azure AD B2C user flow (`/beta/identity/b2cUserFlows`); its `id` is the `B2C_1_…` name. */
export class GraphB2cUserFlow extends pulumi.dynamic.Resource {
  declare readonly userFlowId: pulumi.Output<string>;

  constructor(name: string, args: GraphB2cUserFlowArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(bundledProvider('graphB2cUserFlow'), name, { ...args }, opts, MODULE, 'B2cUserFlow');
  }
}
