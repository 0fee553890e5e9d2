/**
 * Alerting: the log search alert rules of infra/alerts/queries.ts over the function's telemetry and the
 * vault's logs, sent to an action group (made from alertEmails / alertWebhookUrl, or an existing one given by
 * alertActionGroupId). With no recipient the rules still exist and fire in the portal (Monitor > Alerts).
 */
import * as pulumi from '@pulumi/pulumi';
import * as monitor from '@pulumi/azure-native/monitor';
import { ALERT_RULES, CERTIFICATE_EXPIRES_ON, renderQuery, type AlertRuleDefinition, type AlertRuleId } from '../alerts/queries';
import type { AlertsConfig } from '../config';

export interface AlertingArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** Start of every rule's name (unique in the resource group). */
  namePrefix: string;
  appInsightsId: pulumi.Input<string>;
  keyVaultId: pulumi.Input<string>;
  /** Expiry of the certificate version the function is pinned to (ISO 8601); undefined = no certificate
   *  (identityPlatform=b2c), and no rule about its expiry. */
  certificateExpiresOn: pulumi.Input<string> | undefined;
  config: AlertsConfig;
  tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Minutes as an ISO 8601 duration (PT15M, PT1H, P1D). */
export function isoDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `P${minutes / 1440}D`;
  if (minutes % 60 === 0) return `PT${minutes / 60}H`;
  return `PT${minutes}M`;
}

/** How often a rule runs: as often as its window up to every 15 minutes; daily windows hourly. */
export function evaluationMinutes(windowMinutes: number): number {
  return windowMinutes >= 1440 ? 60 : Math.min(windowMinutes, 15);
}

export class Alerting extends pulumi.ComponentResource {
  /** Undefined when neither emails nor a webhook were given. */
  readonly actionGroup: monitor.ActionGroup | undefined;
  /** Every rule, but the certificate's without a certificate. */
  readonly rules: Readonly<Partial<Record<AlertRuleId, monitor.ScheduledQueryRule>>>;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitmigration:azure:Alerting', name, {}, opts);
    const { config } = args;

    this.actionGroup =
      config.emails.length > 0 || config.webhookUrl
        ? new monitor.ActionGroup(
            `${name}-action-group`,
            {
              resourceGroupName: args.resourceGroupName,
              actionGroupName: `${args.namePrefix}-alerts`,
              location: 'global',
              // At most 12 characters: what SMS and mail subjects show.
              groupShortName: 'jit-alerts',
              enabled: true,
              emailReceivers: config.emails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
              webhookReceivers: config.webhookUrl ? [{ name: 'webhook', serviceUri: config.webhookUrl, useCommonAlertSchema: true }] : [],
              tags: args.tags,
            },
            { parent: this },
          )
        : undefined;
    const actionGroups: pulumi.Input<string>[] = [...(this.actionGroup ? [this.actionGroup.id] : []), ...(config.actionGroupId ? [config.actionGroupId] : [])];

    const scopes: Record<AlertRuleDefinition['scope'], pulumi.Input<string>> = { applicationInsights: args.appInsightsId, keyVault: args.keyVaultId };
    const rules: Partial<Record<AlertRuleId, monitor.ScheduledQueryRule>> = {};
    const expiresOn = args.certificateExpiresOn;
    for (const rule of ALERT_RULES) {
      if (expiresOn === undefined && rule.query.includes(CERTIFICATE_EXPIRES_ON)) continue;
      const windowMinutes = config.windowMinutes[rule.id] ?? rule.windowMinutes;
      const query = pulumi.output(expiresOn ?? '').apply((certificateExpiresOn) => renderQuery(rule, { certificateExpiresOn }));
      rules[rule.id] = new monitor.ScheduledQueryRule(
        `${name}-${rule.id}`,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          ruleName: `${args.namePrefix}-${rule.id}`,
          displayName: rule.title,
          description: rule.description,
          kind: 'LogAlert',
          enabled: true,
          severity: rule.severity,
          scopes: [scopes[rule.scope]],
          windowSize: isoDuration(windowMinutes),
          evaluationFrequency: isoDuration(evaluationMinutes(windowMinutes)),
          criteria: {
            allOf: [
              {
                query,
                ...(rule.measure === 'rows' ? { timeAggregation: 'Count' } : { timeAggregation: rule.measure.aggregation, metricMeasureColumn: rule.measure.column }),
                operator: rule.operator,
                threshold: config.thresholds[rule.id] ?? rule.threshold.value,
                failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
              },
            ],
          },
          autoMitigate: true,
          ...(actionGroups.length > 0 ? { actions: { actionGroups } } : {}),
          tags: args.tags,
        },
        { parent: this },
      );
    }
    this.rules = rules;
    this.registerOutputs({ actionGroupId: this.actionGroup?.id });
  }
}
