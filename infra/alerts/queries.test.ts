/**
 * The alert queries as text: every `jit.*` event and `e.<field>` they read is one the function emits, the
 * defaults are valid, and README "Alerts" prints exactly these queries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TELEMETRY_EVENTS, TELEMETRY_FIELDS } from '../../function/src/telemetry/telemetry';
import { ALERT_RULE_IDS, ALERT_RULES, ALERT_WINDOW_MINUTES, CERTIFICATE_EXPIRES_ON, alertsReadmeSection, renderQuery } from './queries';

/** The function's event names a query mentions, and the record fields it reads (`e.<field>`). */
function telemetryReferences(query: string): { events: string[]; fields: string[] } {
  return {
    events: [...query.matchAll(/"(jit\.[A-Za-z0-9]+)"/g)].map((m) => m[1]!),
    fields: [...query.matchAll(/\be\.([A-Za-z]+)\b/g)].map((m) => m[1]!),
  };
}
const unknownEvents = (query: string) => telemetryReferences(query).events.filter((name) => !(TELEMETRY_EVENTS as readonly string[]).includes(name));
const unknownFields = (query: string) => telemetryReferences(query).fields.filter((name) => !TELEMETRY_FIELDS.has(name));

describe('alert queries read only what the function logs', () => {
  test.each(ALERT_RULES.map((rule) => [rule.id, rule.query]))('%s: its jit.* events and e.<fields> exist', (_id, query) => {
    expect(unknownEvents(query)).toEqual([]);
    expect(unknownFields(query)).toEqual([]);
    // No event name in any other spelling (single quotes, unquoted) that the check above would miss.
    expect(query.match(/jit\.[A-Za-z0-9]+/g)?.length ?? 0).toBe(telemetryReferences(query).events.length);
  });

  test('the check catches a misspelt event or field', () => {
    expect(unknownEvents('traces | where tostring(e.event) == "jit.legacyErrors"')).toEqual(['jit.legacyErrors']);
    expect(unknownFields('traces | extend e = parse_json(message) | project e.latency')).toEqual(['latency']);
  });

  test('the function events the issue names each have a rule', () => {
    const read = new Set(ALERT_RULES.flatMap((rule) => telemetryReferences(rule.query).events));
    expect([...read].sort()).toEqual(['jit.b2cRequest', 'jit.legacyCircuitOpen', 'jit.legacyError', 'jit.legacyMisconfigured', 'jit.passwordSubmit', 'jit.stateStoreUnavailable', 'jit.unauthorized']);
  });

  test('B2C mode\'s sign-ins feed the same sign-in rules as Entra\'s callout, and only its sign-ins count as sign-ins', () => {
    const query = (id: string) => ALERT_RULES.find((rule) => rule.id === id)!.query;
    for (const id of ['signInRefusals', 'signInRefusalRatio']) {
      // Both callers' events, B2C's narrowed to its sign-in endpoint (a refused sign-up is not a failed sign-in) ...
      expect(query(id)).toContain('tostring(e.event) in ("jit.passwordSubmit", "jit.b2cRequest")');
      expect(query(id)).toContain('| where tostring(e.event) == "jit.passwordSubmit" or tostring(e.endpoint) == "signin"');
      // ... and each refused by its own answer: B2C's 409 (outcome refused), Entra's Block or Retry.
      expect(query(id)).toContain('iff(tostring(e.event) == "jit.b2cRequest", tostring(e.outcome) == "refused", tostring(e.action) in ("Block", "Retry"))');
    }
    // The deadline (reason) and latency (latencyMs, verifyMs) read fields both events carry.
    expect(query('legacyStoreFailures')).toContain('"jit.b2cRequest"');
    expect(query('calloutLatencyP95')).toContain('tostring(e.event) in ("jit.passwordSubmit", "jit.b2cRequest")');
  });

  test('Application Insights rules read its tables; Key Vault rules the vault audit log or nothing', () => {
    for (const rule of ALERT_RULES) {
      const table = rule.query.split('\n')[0]!.trim();
      if (rule.scope === 'applicationInsights') expect({ id: rule.id, table: ['traces', 'requests'].includes(table) }).toEqual({ id: rule.id, table: true });
      else expect({ id: rule.id, ok: table === 'AzureDiagnostics' || rule.query.includes(CERTIFICATE_EXPIRES_ON) }).toEqual({ id: rule.id, ok: true });
    }
    const vault = ALERT_RULES.find((rule) => rule.id === 'keyVaultAccessFailures')!;
    // What the vault's diagnostic setting (allLogs, no dedicated tables) writes: AzureDiagnostics, category AuditEvent.
    expect(vault.query).toMatch(/ResourceProvider == "MICROSOFT\.KEYVAULT" and Category == "AuditEvent"/);
  });
});

describe('alert rule definitions', () => {
  test('one rule per id, in order', () => {
    expect(ALERT_RULES.map((rule) => rule.id)).toEqual([...ALERT_RULE_IDS]);
  });

  test.each(ALERT_RULES.map((rule) => [rule.id, rule]))('%s: default threshold within its bounds, window allowed, severity, a description', (_id, rule) => {
    expect(rule.threshold.value).toBeGreaterThanOrEqual(rule.threshold.min);
    expect(rule.threshold.value).toBeLessThanOrEqual(rule.threshold.max);
    expect(ALERT_WINDOW_MINUTES).toContain(rule.windowMinutes);
    expect([0, 1, 2, 3, 4]).toContain(rule.severity);
    expect(rule.description.length).toBeGreaterThan(80);
    if (rule.measure !== 'rows') expect(rule.query).toMatch(new RegExp(`\\b${rule.measure.column}\\s*=`));
  });

  test('only the certificate rule carries the expiry placeholder, which rendering fills in', () => {
    const withPlaceholder = ALERT_RULES.filter((rule) => rule.query.includes(CERTIFICATE_EXPIRES_ON)).map((rule) => rule.id);
    expect(withPlaceholder).toEqual(['certificateNearExpiry']);
    const rule = ALERT_RULES.find((r) => r.id === 'certificateNearExpiry')!;
    const rendered = renderQuery(rule, { certificateExpiresOn: '2027-01-01T00:00:00.000Z' });
    expect(rendered).toContain('datetime(2027-01-01T00:00:00.000Z)');
    expect(rendered).not.toContain('{{');
  });
});

describe('README "Alerts"', () => {
  test('prints exactly the rules of the code', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const found = /<!-- alert-rules:begin[^>]*-->\n([\s\S]*?)\n<!-- alert-rules:end -->/.exec(readme);
    expect(found).not.toBeNull();
    // On a mismatch, regenerate the part between the markers from alertsReadmeSection().
    expect(found![1]).toBe(alertsReadmeSection());
  });
});
