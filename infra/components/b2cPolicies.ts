/**
 * B2cPolicies: the generated custom policies (lib/b2c/policies) and the policy keys their REST profiles read,
 * uploaded to the B2C tenant through Graph beta trustFramework (reference azure-ad-b2c-jit.md section 8).
 * Order: the keys, then the migration layer (it names them; the starter-pack base it extends is already there),
 * then the relying parties (they extend the layer). The function's real host name goes into every ServiceUrl.
 * Each XML is a plain input: `pulumi preview --diff` shows the lines that change, and an unchanged file is not
 * uploaded again. The whole component waits for the function (jitMigration.ts), so a policy never goes live
 * before the code that answers it, and a rotated secret reaches the app before B2C sends it.
 */
import * as pulumi from '@pulumi/pulumi';
import { B2C_ROUTES } from '../../lib/b2c/contract';
import { b2cServiceUrl, generateB2cPolicies, type B2cPolicies as GeneratedPolicies, type B2cPolicyOptions } from '../../lib/b2c/policies';
import { B2C_KEY_PREFIX } from '../../lib/b2c/policies/policyKeys';
import type { B2cConfig } from '../config';
import { GraphTrustFrameworkKeySet, GraphTrustFrameworkPolicy } from '../providers/graph/resources';

export interface B2cPoliciesArgs {
  config: B2cConfig;
  /** `https://{function host}`: the origin the policies call (FunctionHosting.functionUrl's). */
  functionOrigin: pulumi.Input<string>;
  /** The b2c-extensions-app holding the migration flag (B2cTenant). */
  extensionsAppClientId: pulumi.Input<string>;
  extensionsAppObjectId: pulumi.Input<string>;
  /** bearer only: the API app the policy gets a token for (B2cTenant.apiAppId). */
  apiAppId?: pulumi.Input<string>;
  /** Policy key name → its value, a Pulumi secret (B2cTenant.policyKeyValues). */
  policyKeyValues: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Stand-ins for what only the deployment knows: the layout (ids, order, keys) does not depend on them. */
const STAND_IN = { apiUrl: 'https://function.azurewebsites.net', guid: '00000000-0000-4000-8000-000000000000' } as const;

export class B2cPolicies extends pulumi.ComponentResource {
  /** In upload order: the layer, then the relying parties. */
  readonly policyIds: pulumi.Output<string[]>;
  /** With B2C's `B2C_1A_` prefix, as the portal lists them. */
  readonly keySetNames: pulumi.Output<string[]>;
  readonly signInUrl: pulumi.Output<string>;
  readonly passwordResetUrl: pulumi.Output<string>;

  constructor(name: string, args: B2cPoliciesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('jitmigration:b2c:B2cPolicies', name, {}, opts);
    const { config } = args;
    const target = { tenantId: config.tenantId, graphBaseUrl: config.graphBaseUrl };
    const options = (apiUrl: string, extensionsAppClientId: string, extensionsAppObjectId: string, apiAppId: string | undefined): B2cPolicyOptions => ({
      tenant: config.tenantDomain,
      apiUrl,
      auth: config.apiAuth,
      extensionsAppClientId,
      extensionsAppObjectId,
      basePolicy: config.basePolicy,
      policyPrefix: config.policyPrefix,
      ...(config.apiAuth === 'apiKey' ? { apiKeyHeader: config.apiKeyHeader } : {}),
      ...(config.apiAuth === 'bearer' ? { apiAppId: apiAppId ?? STAND_IN.guid } : {}),
    });
    // Resources are declared from the layout, known at preview; their XML comes from the real values.
    const layout = generateB2cPolicies(options(STAND_IN.apiUrl, STAND_IN.guid, STAND_IN.guid, undefined));
    const generated: pulumi.Output<GeneratedPolicies> = pulumi
      .all([args.functionOrigin, args.extensionsAppClientId, args.extensionsAppObjectId, args.apiAppId])
      .apply(([origin, clientId, objectId, apiAppId]) => {
        const policies = generateB2cPolicies(options(origin, clientId, objectId, apiAppId));
        const ids = (p: GeneratedPolicies) => p.files.map((f) => f.policyId).join(',');
        if (ids(policies) !== ids(layout)) throw new Error(`B2cPolicies: the generator's files (${ids(policies)}) differ from the layout declared at preview (${ids(layout)})`);
        return policies;
      });

    const keySets = layout.policyKeys.map((key) => {
      const value = args.policyKeyValues[key.name];
      if (value === undefined) throw new Error(`B2cPolicies: no value for the policy key ${key.name} (${key.holds})`);
      return new GraphTrustFrameworkKeySet(
        `${name}-key-${key.name}`,
        { ...target, keySetId: key.name.slice(B2C_KEY_PREFIX.length), use: key.usage === 'Signature' ? 'sig' : 'enc', secret: value },
        { parent: this },
      );
    });

    // The layer first (after its keys), then each relying party after the layer.
    const [layer, ...relyingParties] = layout.files;
    const upload = (file: (typeof layout.files)[number], index: number, dependsOn: pulumi.Resource[]) =>
      new GraphTrustFrameworkPolicy(`${name}-${file.policyId}`, { ...target, policyId: file.policyId, xml: generated.apply((p) => p.files[index]!.xml) }, { parent: this, dependsOn });
    const layerPolicy = upload(layer!, 0, keySets);
    const uploaded = [layerPolicy, ...relyingParties.map((file, i) => upload(file, i + 1, [layerPolicy]))];

    this.policyIds = pulumi.all(uploaded.map((p) => p.policyId));
    this.keySetNames = pulumi.all(keySets.map((k) => k.keySetId));
    const origin = pulumi.output(args.functionOrigin);
    this.signInUrl = origin.apply((o) => b2cServiceUrl(o, B2C_ROUTES.signIn));
    this.passwordResetUrl = origin.apply((o) => b2cServiceUrl(o, B2C_ROUTES.passwordReset));
    this.registerOutputs({ policyIds: this.policyIds, keySetNames: this.keySetNames });
  }
}
