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
