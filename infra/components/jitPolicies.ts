/**
 * The tenant-side JIT migration policy (docs/entra-contracts.md#custom-extension, #listener, #migration-flag; docs/graph-objects.md), all through
 * Graph because no typed provider covers them (azure-pulumi.md 5.3):
 * - the Boolean migration flag, an extension property on the b2c-extensions-app, kept on destroy because
 *   deleting it drops every user's value;
 * - the onPasswordSubmitCustomExtension pointing at the function, authenticated with the extension app's
 *   identifier URI;
 * - the onPasswordSubmitListener that calls it for the client apps and names the flag.
 */
import * as pulumi from '@pulumi/pulumi';
import { JIT_OBJECTS_API_VERSION, type GraphApiVersion } from '../../lib/graph/types';
import { GraphCustomAuthenticationExtension, GraphEventListener, GraphExtensionProperty } from '../providers/graph/resources';

export interface JitPoliciesArgs {
  /** The External ID tenant ID. */
  tenantId: string;
  /** `https://graph.microsoft.com`, or a national cloud's Graph URL. */
  graphBaseUrl: string;
  /** The function's HTTPS URL (the custom extension's targetUrl). */
  functionUrl: pulumi.Input<string>;
  /** `api://{function host}/{extension appId}` (EntraApplications.identifierUri). */
  identifierUri: pulumi.Input<string>;
  /** appIds of the apps whose sign-ins migrate passwords. */
  clientAppIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Short name of the flag, e.g. `toBeMigrated`. */
  migrationPropertyName: string;
  /** 200–2000 (checked by the provider); 2000 recommended. */
  timeoutInMilliseconds: number;
  /** 0 or 1 (checked by the provider); 1 recommended. */
  maximumRetries: number;
  /**
   * Graph version the extension and the listener are managed through: `v1.0` (default) or `beta` (the JIT
   * guide's examples). Switching an existing stack changes nothing: the same objects keep their ids.
   */
  graphApiVersion?: GraphApiVersion;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class JitPolicies extends pulumi.ComponentResource {
  readonly customExtensionId: pulumi.Output<string>;
  readonly listenerId: pulumi.Output<string>;
  /** `extension_{b2c-extensions-app appId without hyphens}_{name}`: the attribute to set on pre-created users. */
  readonly migrationPropertyFullName: pulumi.Output<string>;

  constructor(name: string, args: JitPoliciesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('jitmigration:entra:JitPolicies', name, {}, opts);
    const target = { tenantId: args.tenantId, graphBaseUrl: args.graphBaseUrl };
    const apiVersion = args.graphApiVersion ?? JIT_OBJECTS_API_VERSION;
    const ordered = { parent: this, dependsOn: args.dependsOn };

    const flag = new GraphExtensionProperty(`${name}-migration-flag`, { ...target, name: args.migrationPropertyName, dataType: 'Boolean', targetObjects: ['User'] }, ordered);

    const extension = new GraphCustomAuthenticationExtension(
      `${name}-password-submit`,
      {
        ...target,
        apiVersion,
        displayName: `JIT password migration (${pulumi.getStack()})`,
        description: 'Validates passwords against the legacy identity system on first sign-in',
        targetUrl: args.functionUrl,
        resourceId: args.identifierUri,
        timeoutInMilliseconds: args.timeoutInMilliseconds,
        maximumRetries: args.maximumRetries,
      },
      ordered,
    );

    const listener = new GraphEventListener(
      `${name}-password-submit`,
      {
        ...target,
        apiVersion,
        displayName: `JIT password migration (${pulumi.getStack()})`,
        clientAppIds: args.clientAppIds,
        priority: 500,
        migrationPropertyId: flag.fullName,
        customExtensionId: extension.id,
      },
      ordered,
    );

    this.customExtensionId = extension.id;
    this.listenerId = listener.id;
    this.migrationPropertyFullName = flag.fullName;
    this.registerOutputs({ customExtensionId: this.customExtensionId, listenerId: this.listenerId, migrationPropertyFullName: this.migrationPropertyFullName });
  }
}
