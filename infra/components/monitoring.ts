/**
 * Monitoring: a Log Analytics workspace and a workspace-based Application Insights component, both with
 * local (key) authentication disabled, so telemetry is ingested only with an Entra token (the function's
 * managed identity, via APPLICATIONINSIGHTS_AUTHENTICATION_STRING). With `existingWorkspaceId` (a platform
 * team's workspace, README "Bring your own resources") no workspace is created: App Insights and every
 * diagnostic setting (through `workspaceId`) use that one, whose retention and access stay its owner's.
 */
import * as pulumi from '@pulumi/pulumi';
import * as applicationinsights from '@pulumi/azure-native/applicationinsights';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';

export interface MonitoringArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  appInsightsName: pulumi.Input<string>;
  /** 30-730 days; unused with `existingWorkspaceId`. */
  retentionInDays: number;
  /** ARM id of an existing workspace to use instead of creating one. */
  existingWorkspaceId?: string;
  tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class Monitoring extends pulumi.ComponentResource {
  /** Undefined with `existingWorkspaceId`. */
  readonly workspace: operationalinsights.Workspace | undefined;
  readonly appInsights: applicationinsights.Component;
  readonly workspaceId: pulumi.Output<string>;
  readonly appInsightsId: pulumi.Output<string>;
  /** Not a secret once local auth is off: ingestion also needs an Entra token. */
  readonly appInsightsConnectionString: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitmigration:azure:Monitoring', name, {}, opts);

    this.workspace = args.existingWorkspaceId
      ? undefined
      : new operationalinsights.Workspace(
          `${name}-workspace`,
          {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            workspaceName: args.workspaceName,
            sku: { name: 'PerGB2018' },
            retentionInDays: args.retentionInDays,
            features: {
              // Queries and ingestion need Entra auth; no shared workspace keys.
              disableLocalAuth: true,
              enableLogAccessUsingOnlyResourcePermissions: true,
            },
            tags: args.tags,
          },
          { parent: this },
        );
    this.workspaceId = this.workspace ? this.workspace.id : pulumi.output(args.existingWorkspaceId!);

    this.appInsights = new applicationinsights.Component(
      `${name}-appinsights`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        resourceName: args.appInsightsName,
        kind: 'web',
        applicationType: 'web',
        // Workspace-based (classic Application Insights is retired).
        workspaceResourceId: this.workspaceId,
        ingestionMode: 'LogAnalytics',
        disableLocalAuth: true,
        tags: args.tags,
      },
      { parent: this },
    );

    this.appInsightsId = this.appInsights.id;
    this.appInsightsConnectionString = this.appInsights.connectionString;
    this.registerOutputs({ workspaceId: this.workspaceId, appInsightsId: this.appInsightsId });
  }
}
