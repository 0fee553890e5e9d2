/**
 * Migration dashboard (config `dashboard`): an Azure Monitor workbook over the function's telemetry in the
 * stack's Application Insights (template: dashboardWorkbook.ts). It shows callout activity only; how many
 * users are left comes from `jitmigrate status`.
 */
import * as pulumi from '@pulumi/pulumi';
import * as applicationinsights from '@pulumi/azure-native/applicationinsights';
import { uuidV5 } from '../roles';
import { dashboardWorkbookTemplate } from './dashboardWorkbook';

export interface MigrationDashboardArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** The component every query runs against; the workbook is listed under its Workbooks blade too. */
  appInsightsId: pulumi.Input<string>;
  stack: string;
  tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * ARM names a workbook by a GUID. A name derived from the component it reads (ids are case-insensitive)
 * is the same on every run, so `pulumi up` updates the workbook in place instead of replacing it.
 */
export function dashboardWorkbookName(appInsightsId: string): string {
  return uuidV5(`migration-dashboard|${appInsightsId.toLowerCase()}`);
}

export class MigrationDashboard extends pulumi.ComponentResource {
  readonly workbook: applicationinsights.Workbook;
  readonly workbookId: pulumi.Output<string>;

  constructor(name: string, args: MigrationDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitmigration:azure:MigrationDashboard', name, {}, opts);

    const appInsightsId = pulumi.output(args.appInsightsId);
    this.workbook = new applicationinsights.Workbook(
      `${name}-workbook`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        resourceName: appInsightsId.apply(dashboardWorkbookName),
        kind: 'shared',
        category: 'workbook',
        displayName: `JIT password migration (${args.stack})`,
        description: 'Callout activity of the JIT password migration function. Users left to migrate: jitmigrate status.',
        version: 'Notebook/1.0',
        serializedData: appInsightsId.apply((id) => dashboardWorkbookTemplate(id, args.stack)),
        // ARM stores the source id lower-cased (azurerm documents it): anything else would diff on every refresh.
        sourceId: appInsightsId.apply((id) => id.toLowerCase()),
        tags: args.tags,
      },
      { parent: this },
    );

    this.workbookId = this.workbook.id;
    this.registerOutputs({ workbookId: this.workbookId });
  }
}
