/**
 * The alert rules under mocks: each rule's query, window, severity, scope and actions, the action group made
 * from config, the overrides, alerts=false; and the config checks on recipients and overrides.
 */
import * as pulumi from '@pulumi/pulumi';
import { ALERT_RULES, renderQuery } from '../alerts/queries';
import { ConfigError, httpsWebhookUrl, loadConfig } from '../config';
import { loadStackConfig, PROJECT, projectSecretKeys, runProgram, type ProgramRun, type RecordedResource } from '../test/mocks';
import { evaluationMinutes, isoDuration } from './alerting';

const T = {
  rule: 'azure-native:monitor:ScheduledQueryRule',
  group: 'azure-native:monitor:ActionGroup',
  appInsights: 'azure-native:applicationinsights:Component',
  vault: 'azure-native:keyvault:Vault',
} as const;
const key = (name: string) => `${PROJECT}:${name}`;
/** What the mocked certificate reports (test/mocks.ts). */
const MOCK_EXPIRES_ON = '2027-01-01T00:00:00.000Z';
const WEBHOOK = 'https://hooks.example.com/services/T000/B000/SENTINEL-webhook-token';
const EXISTING_GROUP = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers/microsoft.insights/actionGroups/on-call';

const ofType = (run: ProgramRun, type: string) => run.mocks.resources.filter((r) => r.type === type);
const single = (run: ProgramRun, type: string): RecordedResource => {
  const found = ofType(run, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
};
const ruleNamed = (run: ProgramRun, id: string) => ofType(run, T.rule).find((r) => r.inputs.ruleName.endsWith(`-${id}`))!;

let dev: ProgramRun;
let routed: ProgramRun;
let off: ProgramRun;

beforeAll(async () => {
  dev = await runProgram();
  routed = await runProgram({
    overrides: {
      [key('alertEmails')]: JSON.stringify(['ops@contoso.com', 'security@contoso.com']),
      [key('alertWebhookUrl')]: WEBHOOK,
      [key('alertActionGroupId')]: EXISTING_GROUP,
      [key('alertThresholds')]: JSON.stringify(['signInRefusals=500', 'calloutLatencyP95=1200']),
      [key('alertWindows')]: JSON.stringify(['signInRefusalRatio=60', 'certificateNearExpiry=2880']),
    },
  });
  off = await runProgram({ overrides: { [key('alerts')]: 'false' } });
}, 180_000);

describe('alert rules (defaults)', () => {
  test.each(ALERT_RULES.map((rule) => [rule.id, rule]))('%s: query, window, severity, scope, criteria', (id, rule) => {
    const deployed = ruleNamed(dev, id).inputs;
    const scope = rule.scope === 'keyVault' ? single(dev, T.vault).id : single(dev, T.appInsights).id;
    expect(deployed).toMatchObject({
      kind: 'LogAlert',
      enabled: true,
      ruleName: `jitmig-dev-${id}`,
      displayName: rule.title,
      description: rule.description,
      severity: rule.severity,
      scopes: [scope],
      windowSize: isoDuration(rule.windowMinutes),
      evaluationFrequency: isoDuration(evaluationMinutes(rule.windowMinutes)),
      autoMitigate: true,
    });
    const [condition, ...more] = deployed.criteria.allOf;
    expect(more).toEqual([]);
    expect(condition).toEqual({
      query: renderQuery(rule, { certificateExpiresOn: MOCK_EXPIRES_ON }),
      operator: rule.operator,
      threshold: rule.threshold.value,
      ...(rule.measure === 'rows' ? { timeAggregation: 'Count' } : { timeAggregation: rule.measure.aggregation, metricMeasureColumn: rule.measure.column }),
      failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
    });
  });

  test('one rule per definition; no recipient given: no action group, rules without actions', () => {
    expect(ofType(dev, T.rule)).toHaveLength(ALERT_RULES.length);
    expect(ofType(dev, T.group)).toEqual([]);
    for (const rule of ofType(dev, T.rule)) expect(rule.inputs.actions).toBeUndefined();
    expect(dev.outputs.alertActionGroup ?? undefined).toBeUndefined();
  });

  test('the certificate rule watches the version the app is pinned to', () => {
    expect(ruleNamed(dev, 'certificateNearExpiry').inputs.criteria.allOf[0].query).toContain(`datetime(${dev.outputs.certificateExpiresOn as string})`);
  });

  test('windows map to ISO durations; evaluation at most every 15 minutes, daily windows hourly', () => {
    expect([5, 15, 60, 1440, 2880].map((m) => [isoDuration(m), isoDuration(evaluationMinutes(m))])).toEqual([
      ['PT5M', 'PT5M'],
      ['PT15M', 'PT15M'],
      ['PT1H', 'PT15M'],
      ['P1D', 'PT1H'],
      ['P2D', 'PT1H'],
    ]);
  });
});

describe('alert recipients and overrides', () => {
  test('an action group with the e-mails and the webhook (a secret), plus the existing group, on every rule', () => {
    const group = single(routed, T.group);
    expect(group.inputs).toMatchObject({
      actionGroupName: 'jitmig-dev-alerts',
      location: 'global',
      groupShortName: 'jit-alerts',
      enabled: true,
      emailReceivers: [
        { name: 'email-1', emailAddress: 'ops@contoso.com', useCommonAlertSchema: true },
        { name: 'email-2', emailAddress: 'security@contoso.com', useCommonAlertSchema: true },
      ],
      webhookReceivers: [{ name: 'webhook', serviceUri: WEBHOOK, useCommonAlertSchema: true }],
    });
    expect(group.inputs.groupShortName.length).toBeLessThanOrEqual(12);
    expect(group.secretPaths).toContain('webhookReceivers');
    for (const rule of ofType(routed, T.rule)) expect(rule.inputs.actions).toEqual({ actionGroups: [group.id, EXISTING_GROUP] });
    expect(routed.outputs.alertActionGroup).toBe(group.id);
    // The webhook token appears nowhere but in the action group.
    for (const resource of routed.mocks.resources.filter((r) => r !== group)) expect(JSON.stringify(resource.inputs)).not.toContain('SENTINEL-webhook-token');
  });

  test('thresholds and windows overridden per rule, the others at their defaults', () => {
    const condition = (id: string) => ruleNamed(routed, id).inputs.criteria.allOf[0];
    expect(condition('signInRefusals').threshold).toBe(500);
    expect(condition('calloutLatencyP95').threshold).toBe(1200);
    expect(condition('unauthorizedCalls').threshold).toBe(ALERT_RULES.find((r) => r.id === 'unauthorizedCalls')!.threshold.value);
    expect(ruleNamed(routed, 'signInRefusalRatio').inputs).toMatchObject({ windowSize: 'PT1H', evaluationFrequency: 'PT15M' });
    expect(ruleNamed(routed, 'certificateNearExpiry').inputs).toMatchObject({ windowSize: 'P2D', evaluationFrequency: 'PT1H' });
    expect(ruleNamed(routed, 'signInRefusals').inputs.windowSize).toBe('PT15M');
  });

  test('alerts=false: no rule, no action group', () => {
    expect(ofType(off, T.rule)).toEqual([]);
    expect(ofType(off, T.group)).toEqual([]);
  });
});

describe('alert config checks', () => {
  const noMocks: pulumi.runtime.Mocks = { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs };
  /** Loads config as the program does (pulumiConfigSource), from the dev stack plus `overrides`. */
  async function configWith(overrides: Record<string, string>, secretKeys = projectSecretKeys()) {
    await pulumi.runtime.setMocks(noMocks, PROJECT, 'dev', true);
    pulumi.runtime.setAllConfig({ ...loadStackConfig(), ...overrides }, secretKeys);
    return loadConfig();
  }
  const problemsOf = async (overrides: Record<string, string>) =>
    configWith(overrides).then(
      () => [],
      (error: unknown) => (error instanceof ConfigError ? error.problems : [String(error)]),
    );

  test('every bad entry is named with its fix, all at once', async () => {
    const problems = (
      await problemsOf({
        [key('alertEmails')]: JSON.stringify(['ops@contoso.com', 'not-an-address']),
        [key('alertActionGroupId')]: '/subscriptions/x/resourceGroups/rg/providers/microsoft.insights/actionGroups/g',
        [key('alertThresholds')]: JSON.stringify(['signInRefusal=5', 'signInRefusalRatio=101', 'hostRestarts', 'unauthorizedCalls=3', 'unauthorizedCalls=4']),
        [key('alertWindows')]: JSON.stringify(['signInRefusals=7']),
      })
    ).join('\n');
    expect(problems).toMatch(/alertEmails entry 1 'not-an-address' is not an e-mail address/);
    expect(problems).toMatch(/alertActionGroupId is '.*': set it to an action group's ARM id/);
    expect(problems).toMatch(/alertThresholds entry 'signInRefusal=5' names no alert rule: did you mean signInRefusals\?/);
    expect(problems).toMatch(/alertThresholds entry 'signInRefusalRatio=101': set signInRefusalRatio to a whole number from 1 to 100 \(percent of sign-ins\)/);
    expect(problems).toMatch(/alertThresholds entry 'hostRestarts' is not "rule=number"/);
    expect(problems).toMatch(/alertThresholds sets unauthorizedCalls more than once/);
    expect(problems).toMatch(/alertWindows entry 'signInRefusals=7': set signInRefusals to one of 5, 10, 15/);
  });

  test('recipients or overrides with alerts=false are refused rather than ignored', async () => {
    const problems = await problemsOf({ [key('alerts')]: 'false', [key('alertEmails')]: JSON.stringify(['ops@contoso.com']) });
    expect(problems.join('\n')).toMatch(/alertEmails is set while alerts=false: remove it \(pulumi config rm alertEmails\) or set alerts true/);
  });

  test('a webhook URL stored in plain text is refused without echoing it', async () => {
    await pulumi.runtime.setMocks(noMocks, PROJECT, 'dev', true);
    const attempt = configWith({ [key('alertWebhookUrl')]: WEBHOOK }, projectSecretKeys().filter((k) => k !== key('alertWebhookUrl')));
    const message = await attempt.then(
      () => '',
      (error: Error) => error.message,
    );
    expect(message).toMatch(/alertWebhookUrl is stored in plain text.*pulumi config set --secret alertWebhookUrl/);
    expect(message).not.toContain('SENTINEL-webhook-token');
  });

  test('a webhook URL must be https; the error does not repeat it', () => {
    const token = 'SENTINEL-webhook-token';
    for (const bad of [`http://hooks.example.com/${token}`, `hooks.example.com/${token}`, `ftp://${token}`]) {
      expect(() => httpsWebhookUrl(PROJECT, bad)).toThrow(ConfigError);
      expect(() => httpsWebhookUrl(PROJECT, bad)).toThrow(/alertWebhookUrl is not an https URL: set it again with pulumi config set --secret/);
      expect(() => httpsWebhookUrl(PROJECT, bad)).not.toThrow(new RegExp(token));
    }
    expect(httpsWebhookUrl(PROJECT, ` ${WEBHOOK} `)).toBe(WEBHOOK);
  });
});
