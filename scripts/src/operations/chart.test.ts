import { escapeHtml, renderProgressPage } from './chart';
import { buildSnapshot, type LegacySummary, type StatusSnapshot } from './progress';

const DAY = 86_400_000;
const NOW = new Date('2026-06-15T12:00:00Z');

function snapshot(at: Date, pending: number, changes: Partial<LegacySummary> = {}, deadline?: Date): StatusSnapshot {
  const legacy: LegacySummary = {
    store: 'file',
    total: 100,
    migrated: 100 - pending,
    migratedWithoutTimestamp: 0,
    unreadable: 0,
    superseded: 0,
    migratedPerDay: new Map(),
    last24Hours: 2,
    last7Days: 14,
    firstMigratedAt: new Date(at.getTime() - 20 * DAY).toISOString(),
    ...changes,
  };
  return buildSnapshot({ now: at, migrationProperty: 'extension_00001111aaaa2222bbbb3333cccc4444_<b>', graph: { pending, migrated: 100 - pending }, legacy, deadline });
}

describe('renderProgressPage', () => {
  it('draws one point per snapshot, the legacy burn-down, the projection and the per-day bars, all inline', () => {
    const history = [snapshot(new Date(NOW.getTime() - 2 * DAY), 60), snapshot(new Date(NOW.getTime() - DAY), 55)];
    const current = snapshot(NOW, 50, { superseded: 4 }, new Date(NOW.getTime() + 10 * DAY));
    const perDay = new Map([
      ['2026-06-13', 5],
      ['2026-06-14', 3],
    ]);
    const html = renderProgressPage({ current, history: [...history, current], migratedPerDay: perDay });
    expect(html.match(/<circle class="point graph"/g)).toHaveLength(3);
    expect(html.match(/<circle class="point legacy"/g)).toHaveLength(3);
    expect(html).toContain('data-value="50"');
    expect(html).toContain('class="line projection"');
    expect(html.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(html).toContain('<th>Superseded legacy records</th><td>4: a password set in Entra replaced the legacy one; jitmigrate reconcile clears their flags</td>');
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    expect(html).not.toMatch(/https?:\/\/|<script|\bsrc=|\bhref=/i);
  });

  it('escapes text from the data', () => {
    const html = renderProgressPage({ current: snapshot(NOW, 50), history: [], migratedPerDay: new Map() });
    expect(html).toContain('_&#60;b&#62;');
    expect(html).not.toContain('_<b>');
    expect(escapeHtml(`<a href="x">'&`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;');
  });

  it('renders a first run with no history and no migrations, without a projection', () => {
    const html = renderProgressPage({ current: snapshot(NOW, 100, { last7Days: 0, last24Hours: 0, firstMigratedAt: undefined }), history: [], migratedPerDay: new Map() });
    expect(html.match(/<circle class="point graph"/g)).toHaveLength(1);
    expect(html).not.toContain('class="line projection"');
    expect(html).toContain('No migrations recorded');
    expect(html).not.toMatch(/NaN|Infinity/);
  });
});
