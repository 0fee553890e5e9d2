/**
 * The alert rules over the function's own telemetry: one place for every rule's Kusto, threshold, window,
 * severity and what to do. components/alerting.ts deploys them; README "Alerts" prints them (a test keeps the
 * two equal), and a test checks every `jit.*` event and `e.<field>` they read against what the function emits.
 *
 * Application Insights rules query the component (`traces`, `requests`: its schema). The function's events
 * are JSON lines in `traces.message` (function/src/telemetry/telemetry.ts). Key Vault rules query the vault's
 * own logs (resource-context), which its diagnostic setting sends to `AzureDiagnostics` (Category AuditEvent).
 */
import type { B2cEndpointName } from '../../function/src/b2c/handler';
import type { B2cSignInDecision, DecisionReason, PasswordSubmitAction } from '../../function/src/pipeline/decide';
import type { TelemetryEvent } from '../../function/src/telemetry/telemetry';

export const ALERT_RULE_IDS = [
  'signInRefusals',
  'signInRefusalRatio',
  'unauthorizedCalls',
  'legacyStoreFailures',
  'calloutLatencyP95',
  'functionErrors',
  'hostRestarts',
  'keyVaultAccessFailures',
  'certificateNearExpiry',
  'stateStoreUnavailable',
  'legacyB2cProtection',
] as const;
export type AlertRuleId = (typeof ALERT_RULE_IDS)[number];

/** What the rule queries: the Application Insights component or the Key Vault (resource-context logs). */
export type AlertScope = 'applicationInsights' | 'keyVault';

export interface AlertRuleDefinition {
  readonly id: AlertRuleId;
  readonly title: string;
  readonly scope: AlertScope;
  /** 0 (critical) to 4 (verbose). */
  readonly severity: 0 | 1 | 2 | 3 | 4;
  /** Kusto; `{{certificateExpiresOn}}` is filled in at deployment (certificateNearExpiry). */
  readonly query: string;
  /** Count the rows, or take a column's value (its maximum or minimum over the rows). */
  readonly measure: { readonly column: string; readonly aggregation: 'Maximum' | 'Minimum' } | 'rows';
  readonly operator: 'GreaterThan' | 'LessThan';
  /** Default threshold, overridable within [min, max] (alertThresholds). */
  readonly threshold: { readonly value: number; readonly min: number; readonly max: number; readonly unit: string };
  /** Default look-back window in minutes (alertWindows); one of ALERT_WINDOW_MINUTES. */
  readonly windowMinutes: number;
  /** What it means and what to do: the rule's description in the portal and in the alert mail. */
  readonly description: string;
}

/** Window sizes a log search alert accepts, in minutes. */
export const ALERT_WINDOW_MINUTES = [5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880] as const;

/** Placeholder the certificate rule's query carries until deployment. */
export const CERTIFICATE_EXPIRES_ON = '{{certificateExpiresOn}}';

// Typed, so a renamed action, reason or event fails compilation here.
const REFUSED: readonly PasswordSubmitAction[] = ['Block', 'Retry'];
const DEADLINE: DecisionReason = 'deadline';
const ev = (name: TelemetryEvent): string => `"${name}"`;
const kustoList = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

/** The function's events of the given names, parsed: fields are `e.<field>`. */
function jitEvents(...names: TelemetryEvent[]): string {
  const filter = names.length === 1 ? `tostring(e.event) == ${ev(names[0]!)}` : `tostring(e.event) in (${names.map(ev).join(', ')})`;
  return ['traces', '| extend e = parse_json(message)', `| where ${filter}`].join('\n');
}

/** Below this many sign-ins in the window, a ratio says nothing. */
const RATIO_MINIMUM_SIGN_INS = 20;

/**
 * The sign-ins of either caller: Entra's callout (`jit.passwordSubmit`) and B2C's sign-in endpoint
 * (`jit.b2cRequest` with endpoint `signin`), each with `refused` set: Block or Retry for Entra, a 409 for B2C.
 * One set of rules serves both modes; B2C's sign-up and reset look-ups are not sign-ins.
 */
const B2C_SIGN_IN: B2cEndpointName = 'signin';
const B2C_REFUSED: B2cSignInDecision['outcome'] = 'refused';
const SIGN_INS = [
  jitEvents('jit.passwordSubmit', 'jit.b2cRequest'),
  `| where tostring(e.event) == ${ev('jit.passwordSubmit')} or tostring(e.endpoint) == "${B2C_SIGN_IN}"`,
  `| extend refused = iff(tostring(e.event) == ${ev('jit.b2cRequest')}, tostring(e.outcome) == "${B2C_REFUSED}", tostring(e.action) in (${kustoList(REFUSED)}))`,
].join('\n');

export const ALERT_RULES: readonly AlertRuleDefinition[] = [
  {
    id: 'signInRefusals',
    title: 'Many sign-ins answered Block or Retry',
    scope: 'applicationInsights',
    severity: 2,
    query: [SIGN_INS, '| where refused and tobool(e.replayed) != true', '| project timestamp, event = tostring(e.event), action = tostring(e.action), reason = tostring(e.reason)'].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 100, min: 1, max: 1_000_000, unit: 'refused sign-ins' },
    windowMinutes: 15,
    description:
      'Many migrating sign-ins were refused (Entra\'s callout: Block or Retry; B2C mode: a 409 from /api/b2c/signin). Run the query and count by reason: mostly wrong-password or locked-out across many users with a normal ratio (see signInRefusalRatio) is credential stuffing, so check the Entra (or B2C) sign-in logs and consider Conditional Access or bot protection; mostly legacy-error or deadline means the legacy store is failing (see legacyStoreFailures).',
  },
  {
    id: 'signInRefusalRatio',
    title: 'Share of sign-ins answered Block or Retry is high',
    scope: 'applicationInsights',
    severity: 2,
    query: [
      SIGN_INS,
      '| where tobool(e.replayed) != true',
      '| summarize total = count(), refused = countif(refused)',
      `| where total >= ${RATIO_MINIMUM_SIGN_INS}`,
      '| project refusedPercent = 100.0 * refused / total',
    ].join('\n'),
    measure: { column: 'refusedPercent', aggregation: 'Maximum' },
    operator: 'GreaterThan',
    threshold: { value: 50, min: 1, max: 100, unit: 'percent of sign-ins' },
    windowMinutes: 30,
    description: `More than the threshold percent of migrating sign-ins (at least ${RATIO_MINIMUM_SIGN_INS} in the window) were refused. Real users mostly know their password: a high share with reason wrong-password usually means a broken legacy store or hash scheme (a wrong pepper, salt or scheme: check a known account's hash with jitmigrate verify-hash); with reason locked-out across many users, credential stuffing.`,
  },
  {
    id: 'unauthorizedCalls',
    title: 'Calls to the function that are not from Entra',
    scope: 'applicationInsights',
    severity: 2,
    query: [jitEvents('jit.unauthorized'), '| project timestamp, errorName = tostring(e.errorName), detail = tostring(e.detail)'].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 20, min: 1, max: 1_000_000, unit: 'rejected calls' },
    windowMinutes: 15,
    description:
      'The function rejected calls whose token is not from the configured Entra tenant and extension app (in B2C mode: whose Basic credentials, API key, certificate or token are not the policy\'s). The detail says why (audience, issuer, signature, credential): after a change to the extension app, tenant or B2C policy keys, fix the configuration; otherwise someone is probing the public endpoint, which caller authentication stops; check the client IPs in the requests table.',
  },
  {
    id: 'legacyStoreFailures',
    title: 'Legacy store errors and deadline timeouts',
    scope: 'applicationInsights',
    severity: 1,
    query: [
      jitEvents('jit.legacyError', 'jit.passwordSubmit', 'jit.b2cRequest'),
      `| where tostring(e.event) == ${ev('jit.legacyError')} or tostring(e.reason) == "${DEADLINE}"`,
      '| project timestamp, event = tostring(e.event), legacyStore = tostring(e.legacyStore), errorName = tostring(e.errorName), detail = tostring(e.detail)',
    ].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 5, min: 1, max: 1_000_000, unit: 'failed look-ups' },
    windowMinutes: 15,
    description:
      'The legacy store failed or did not answer within the callout budget: those users got LegacyErrorAction and cannot migrate until it is back. Check the legacy web service or storage account health and latency (verifyMs in jit.passwordSubmit and jit.b2cRequest); for timeouts, see whether the store slowed down or the budget (customExtensionTimeoutMs) is too tight.',
  },
  {
    id: 'calloutLatencyP95',
    title: 'Callout latency p95 near the Entra timeout',
    scope: 'applicationInsights',
    severity: 2,
    query: [jitEvents('jit.passwordSubmit', 'jit.b2cRequest'), '| summarize p95 = percentile(todouble(e.latencyMs), 95), p95verify = percentile(todouble(e.verifyMs), 95)'].join('\n'),
    measure: { column: 'p95', aggregation: 'Maximum' },
    operator: 'GreaterThan',
    threshold: { value: 1500, min: 50, max: 10_000, unit: 'milliseconds' },
    windowMinutes: 15,
    description:
      'The function takes too long to answer: Entra gives up at customExtensionTimeoutMs (at most 2000 ms; B2C at 10 s) and the user sees an error. If p95verify is most of it, the legacy store is slow; otherwise look at cold starts (raise alwaysReadyInstances), the Entra password check (entraMs) and the state table.',
  },
  {
    id: 'functionErrors',
    title: 'Function errors (HTTP 5xx)',
    scope: 'applicationInsights',
    severity: 1,
    query: ['requests', '| where toint(resultCode) >= 500', '| project timestamp, name, resultCode, cloud_RoleInstance'].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 5, min: 1, max: 1_000_000, unit: 'failed requests' },
    windowMinutes: 15,
    description:
      'The function answered with a server error: Entra shows the user an error and the sign-in does not migrate. Look for jit.notReady (a missing or invalid app setting, an unreadable Key Vault reference: see keyVaultAccessFailures) and exceptions in the same window; after a deployment, roll back.',
  },
  {
    id: 'hostRestarts',
    title: 'Function host restarts',
    scope: 'applicationInsights',
    severity: 3,
    // The Functions host logs "Host started ({ms}ms)" (event 413) on every start, scale-out included.
    query: ['traces', '| where message startswith "Host started ("', '| project timestamp, cloud_RoleInstance, message'].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 10, min: 1, max: 100_000, unit: 'host starts' },
    windowMinutes: 60,
    description:
      'The Functions host started more often than scaling explains. Every start is a cold start that can push callouts past the Entra timeout. Look for crashes, out-of-memory (instanceMemoryMB) and configuration changes in the same hour; a restart loop after a deployment means the package or an app setting is broken.',
  },
  {
    id: 'keyVaultAccessFailures',
    title: 'Key Vault access failures',
    scope: 'keyVault',
    severity: 1,
    query: [
      'AzureDiagnostics',
      '| where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"',
      '| where httpStatusCode_d == 403 or httpStatusCode_d == 429 or httpStatusCode_d >= 500',
      '| project TimeGenerated, OperationName, ResultSignature, httpStatusCode_d, id_s, CallerIPAddress',
    ].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 3, min: 1, max: 1_000_000, unit: 'failed vault requests' },
    windowMinutes: 15,
    description:
      'Requests to the vault that holds the decryption key were refused (403: a role assignment missing or removed), throttled (429) or failed (5xx). The function reads its keys through Key Vault references: if they fail, it cannot decrypt and every migrating sign-in fails. Check the role assignments on the secrets (pulumi up restores them) and the vault firewall.',
  },
  {
    id: 'certificateNearExpiry',
    title: 'Decryption certificate in use nears expiry',
    scope: 'keyVault',
    severity: 1,
    // The app is pinned to one certificate version; its expiry is known at deployment and filled in here, so
    // the rule follows the version in use and moves on only when `pulumi up --refresh` deploys a renewed one.
    query: [`let expiresOn = datetime(${CERTIFICATE_EXPIRES_ON});`, 'print daysLeft = datetime_diff("day", expiresOn, now())'].join('\n'),
    measure: { column: 'daysLeft', aggregation: 'Minimum' },
    operator: 'LessThan',
    threshold: { value: 14, min: 1, max: 365, unit: 'days left' },
    windowMinutes: 1440,
    description:
      'The certificate version Entra encrypts to and the function decrypts with expires soon, and no renewed version has been deployed. Key Vault renews it certificateRenewDaysBeforeExpiry days before expiry; run pulumi up --refresh so Entra and the function move to the new version together (README "Key rotation").',
  },
  {
    id: 'stateStoreUnavailable',
    title: 'State store unavailable',
    scope: 'applicationInsights',
    severity: 2,
    query: [jitEvents('jit.stateStoreUnavailable'), '| project timestamp, stage = tostring(e.stage), errorName = tostring(e.errorName), failedClosed = tobool(e.failedClosed)'].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 0, min: 0, max: 1_000_000, unit: 'failures' },
    windowMinutes: 15,
    description:
      'The state table could not be reached: while it lasts, lockout and idempotency are off (or, with stateStoreFailClosed, every sign-in gets LegacyErrorAction). Check the storage account health, its firewall and the function identity\'s Storage Table Data Contributor role on the state table.',
  },
  {
    id: 'legacyB2cProtection',
    title: 'B2C legacy store misconfigured, or its circuit breaker open',
    scope: 'applicationInsights',
    severity: 1,
    query: [
      jitEvents('jit.legacyMisconfigured', 'jit.legacyCircuitOpen'),
      '| project timestamp, event = tostring(e.event), errorName = tostring(e.errorName), detail = tostring(e.detail)',
    ].join('\n'),
    measure: 'rows',
    operator: 'GreaterThan',
    threshold: { value: 0, min: 0, max: 1_000_000, unit: 'callouts' },
    windowMinutes: 15,
    description:
      'With LegacyStore=b2c: jit.legacyMisconfigured means the B2C tenant refused the ROPC request for a configuration reason (detail and the health check name the setting and the fix); jit.legacyCircuitOpen means B2C throttled or locked out enough distinct users that the function stopped calling it for the cool-down. Either way those users got LegacyErrorAction. For the circuit, check for credential stuffing (reason wrong-password across many users) and B2C throttling before raising LegacyB2cCircuitThreshold.',
  },
];

/** The rule's query as deployed: the certificate's expiry filled in. */
export function renderQuery(rule: AlertRuleDefinition, values: { certificateExpiresOn: string }): string {
  return rule.query.split(CERTIFICATE_EXPIRES_ON).join(values.certificateExpiresOn);
}

/** README "Alerts": every rule with its defaults and its query, generated from ALERT_RULES. */
export function alertsReadmeSection(): string {
  const blocks = ALERT_RULES.map((rule) => {
    const comparison = rule.operator === 'GreaterThan' ? 'more than' : 'less than';
    const when = rule.measure === 'rows' ? `the query returns ${comparison} ${rule.threshold.value} rows (${rule.threshold.unit})` : `\`${rule.measure.column}\` is ${comparison} ${rule.threshold.value} (${rule.threshold.unit})`;
    return [
      `#### \`${rule.id}\`: ${rule.title}`,
      '',
      `Severity ${rule.severity}. Fires when ${when} over ${rule.windowMinutes} minutes. Scope: ${rule.scope === 'keyVault' ? 'the Key Vault' : 'Application Insights'}.`,
      '',
      rule.description,
      '',
      '```kusto',
      rule.query,
      '```',
    ].join('\n');
  });
  return blocks.join('\n\n');
}
