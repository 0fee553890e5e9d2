/**
 * The migration dashboard's Azure Monitor workbook template (`serializedData`, format Notebook/1.0): Kusto
 * over the function's own telemetry, scoped to the stack's Application Insights component. The function's
 * lines land in `traces.message` as JSON (function/src/telemetry/telemetry.ts), so every query parses the
 * message and reads the allow-listed fields. Event names, actions and reasons are typed against the
 * function's definitions, so a renamed event or reason fails the build, not the dashboard.
 */
import { TELEMETRY_EVENTS, type TelemetryEvent } from '../../function/src/telemetry';
import type { B2cEndpointName } from '../../function/src/b2c/handler';
import type { B2cSignInDecision, DecisionReason, PasswordSubmitAction } from '../../function/src/pipeline/decide';

const PASSWORD_SUBMIT: TelemetryEvent = 'jit.passwordSubmit';
/** B2C mode's per-request event: an outcome like jit.passwordSubmit, not a problem. */
const B2C_REQUEST: TelemetryEvent = 'jit.b2cRequest';
/** A Kusto string literal of one of the function's own names: a typo fails the build. */
const kql = (name: TelemetryEvent | PasswordSubmitAction | DecisionReason | B2cEndpointName | B2cSignInDecision['outcome']): string => `"${name}"`;
/** Every event but the per-request ones: the problems the function reports. */
const PROBLEM_EVENTS = TELEMETRY_EVENTS.filter((event) => event !== PASSWORD_SUBMIT && event !== B2C_REQUEST);

/** Workbook item types (Notebook/1.0). */
const ITEM = { markdown: 1, query: 3, parameters: 9 } as const;
/** queryType 0: Log Analytics (Kusto). */
const LOGS_QUERY = 0;
const APP_INSIGHTS_RESOURCE_TYPE = 'microsoft.insights/components';
const TIME_RANGE_PARAMETER = 'TimeRange';
const DEFAULT_RANGE_MS = 7 * 24 * 60 * 60 * 1000;

type Visualization = 'timechart' | 'barchart' | 'piechart' | 'table';

/** The callouts' telemetry lines, parsed; `extra` narrows them further. */
function events(eventFilter: string): string {
  return ['traces', '| extend e = parse_json(message)', `| where ${eventFilter}`].join('\n');
}
const submits = (extra?: string): string => events(`tostring(e.event) == ${kql(PASSWORD_SUBMIT)}${extra ? ` and ${extra}` : ''}`);
/** A replayed answer repeats an earlier callout (Entra's or B2C's retry of the same request): counted once. */
const FIRST_ANSWERS = 'coalesce(tobool(e.replayed), false) == false';
const IS_B2C = `tostring(e.event) == ${kql(B2C_REQUEST)}`;
/**
 * The answers of either caller, first answers only: Entra's callouts, and in B2C mode the calls that can migrate
 * a user (sign-in, password reset; sign-up only looks up). `answer` is Entra's action or B2C's
 * "endpoint: outcome"; `migrated` and `refused` mean the same for both (MigratePassword / a migrated answer;
 * Retry or Block / a 409).
 */
const ANSWERS = [
  events(`(tostring(e.event) == ${kql(PASSWORD_SUBMIT)} or (${IS_B2C} and tostring(e.endpoint) in (${kql('signin')}, ${kql('password-reset')}))) and ${FIRST_ANSWERS}`),
  `| extend answer = iff(${IS_B2C}, strcat("B2C ", tostring(e.endpoint), ": ", tostring(e.outcome)), tostring(e.action))`,
  `| extend migrated = iff(${IS_B2C}, tostring(e.outcome) == ${kql('migrated')}, tostring(e.action) == ${kql('MigratePassword')})`,
  `| extend refused = iff(${IS_B2C}, tostring(e.outcome) == ${kql('refused')}, tostring(e.action) in (${kql('Retry')}, ${kql('Block')}))`,
].join('\n');
const MIGRATIONS = `${ANSWERS}\n| where migrated`;

export interface DashboardQuery {
  readonly name: string;
  readonly title: string;
  readonly visualization: Visualization;
  readonly query: string;
}

/** The panels, top to bottom. Exported so tests and the README can read the Kusto as text. */
export const DASHBOARD_QUERIES: readonly DashboardQuery[] = [
  {
    name: 'migrations-per-hour',
    title: 'Passwords migrated per hour (MigratePassword; B2C mode: migrated)',
    visualization: 'timechart',
    query: `${MIGRATIONS}\n| summarize migrations = count() by bin(timestamp, 1h)\n| order by timestamp asc`,
  },
  {
    name: 'migrations-cumulative',
    title: 'Passwords migrated, cumulative over the time range',
    visualization: 'timechart',
    query: `${MIGRATIONS}\n| summarize migrations = count() by bin(timestamp, 1h)\n| order by timestamp asc\n| extend cumulative = row_cumsum(migrations)\n| project timestamp, cumulative`,
  },
  {
    name: 'outcome-mix',
    title: 'Outcome mix (MigratePassword / UpdatePassword / Retry / Block; B2C mode: migrated / notLegacy / refused)',
    visualization: 'piechart',
    query: `${ANSWERS}\n| summarize answers = count() by answer`,
  },
  {
    name: 'outcomes-per-hour',
    title: 'Outcomes per hour',
    visualization: 'timechart',
    query: `${ANSWERS}\n| summarize answers = count() by bin(timestamp, 1h), answer`,
  },
  {
    name: 'failure-reasons',
    title: 'Why sign-ins were answered Retry or Block (B2C mode: refused)',
    visualization: 'barchart',
    query: `${ANSWERS}\n| where refused\n| summarize answers = count() by reason = tostring(e.reason), answer\n| order by answers desc`,
  },
  {
    name: 'problems',
    title: 'Problems the function reported (unauthorized callers, legacy store, state store, Entra check)',
    visualization: 'table',
    query: `${events(`tostring(e.event) in (${PROBLEM_EVENTS.map(kql).join(', ')})`)}\n| summarize occurrences = count(), last = max(timestamp) by event = tostring(e.event), stage = tostring(e.stage), errorName = tostring(e.errorName)\n| order by occurrences desc`,
  },
  {
    name: 'latency',
    title: 'Callout latency (ms): whole callout p50/p95/p99, legacy verification and Entra check p95',
    visualization: 'timechart',
    query: `${events(`tostring(e.event) in (${kql(PASSWORD_SUBMIT)}, ${kql(B2C_REQUEST)})`)}\n| summarize p50 = percentile(todouble(e.latencyMs), 50), p95 = percentile(todouble(e.latencyMs), 95), p99 = percentile(todouble(e.latencyMs), 99), verifyP95 = percentile(todouble(e.verifyMs), 95), entraP95 = percentile(todouble(e.entraMs), 95) by bin(timestamp, 5m)`,
  },
  {
    name: 'lockouts',
    title: 'Sign-ins blocked by the lockout (reason locked-out)',
    visualization: 'timechart',
    query: `${ANSWERS}\n| where tostring(e.reason) == ${kql('locked-out')}\n| summarize lockouts = count() by bin(timestamp, 1h)`,
  },
  {
    name: 'key-label',
    title: 'Which key decrypted the password context (keyLabel; previous appears during a certificate rotation)',
    visualization: 'timechart',
    query: `${submits('isnotempty(tostring(e.keyLabel))')}\n| summarize callouts = count() by bin(timestamp, 1h), keyLabel = tostring(e.keyLabel)`,
  },
];

/**
 * The workbook's `serializedData`. Every query runs against `appInsightsId` only (crossComponentResources),
 * whichever resource the portal opened the workbook from.
 */
export function dashboardWorkbookTemplate(appInsightsId: string, stack: string): string {
  const scope = { queryType: LOGS_QUERY, resourceType: APP_INSIGHTS_RESOURCE_TYPE, crossComponentResources: [appInsightsId] };
  const timeContext = { durationMs: DEFAULT_RANGE_MS };
  const template = {
    version: 'Notebook/1.0',
    items: [
      {
        type: ITEM.markdown,
        name: 'about',
        content: {
          json: [
            `## JIT password migration: stack ${stack}`,
            'Callout activity only: what the function answered Entra (or, in B2C mode, B2C), from its telemetry in Application Insights.',
            'How many users are left to migrate comes from `jitmigrate status` (Microsoft Graph plus the legacy store), not from this workbook.',
          ].join('\n\n'),
        },
      },
      {
        type: ITEM.parameters,
        name: 'parameters',
        content: {
          version: 'KqlParameterItem/1.0',
          style: 'pills',
          ...scope,
          parameters: [
            {
              id: 'b6c1e8a2-4f3d-4e5a-9c7b-1d2e3f4a5b6c',
              version: 'KqlParameterItem/1.0',
              name: TIME_RANGE_PARAMETER,
              label: 'Time range',
              type: 4,
              isRequired: true,
              value: timeContext,
              typeSettings: {
                selectableValues: [3_600_000, 86_400_000, 604_800_000, 2_592_000_000].map((durationMs) => ({ durationMs })),
                allowCustom: true,
              },
            },
          ],
        },
      },
      ...DASHBOARD_QUERIES.map(({ name, title, visualization, query }) => ({
        type: ITEM.query,
        name,
        content: {
          version: 'KqlItem/1.0',
          title,
          query,
          size: 0,
          ...scope,
          visualization,
          timeContext,
          timeContextFromParameter: TIME_RANGE_PARAMETER,
        },
      })),
    ],
    fallbackResourceIds: [appInsightsId],
    $schema: 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json',
  };
  return JSON.stringify(template);
}
